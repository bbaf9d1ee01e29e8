"""Helpers for the ingest tests: read a file or bytes through the public API."""

from __future__ import annotations

from pathlib import Path

from phiwatch.ingest import IngestOptions, IngestReport, read_events
from phiwatch.model import Event


def read_all(path: Path | str, options: IngestOptions | None = None) -> tuple[list[Event], IngestReport]:
    report = IngestReport()
    events = list(read_events(path, report, options))
    return events, report


def read_bytes(
    tmp_path: Path, data: bytes, name: str = "input", options: IngestOptions | None = None
) -> tuple[list[Event], IngestReport]:
    path = tmp_path / name
    path.write_bytes(data)
    return read_all(path, options)


def rejected_lines(report: IngestReport) -> list[int]:
    return [r.line for r in report.rejected_samples]


def shape(event: Event) -> tuple[object, ...]:
    """What an event says about the exchange, without where it was read from."""
    req, resp = event.request, event.response
    return (
        event.ts,
        event.client_ip,
        req.method,
        req.scheme,
        req.host,
        req.path,
        req.query,
        tuple(sorted(req.headers.items())),
        req.body,
        resp.status,
        resp.body,
    )
