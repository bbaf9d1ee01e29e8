"""Shared types of the ingest package: options, the run report, the Source protocol and registry.

Kept apart from ``__init__`` so that the format modules can import them without a cycle.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import BinaryIO, Protocol

import msgspec

from phiwatch.model import Event, Rejected
from phiwatch.registry import Registry

MAX_REJECTED_SAMPLES = 200


_DIGITS = str.maketrans("0123456789", "##########")


def excerpt(text: str, limit: int = 60) -> str:
    """A rejected item's content, safe for reports: logs of a health API are PHI, so the query
    string is dropped and digits (SSNs, MRNs, phone numbers, ids) are masked."""
    head, sep, _query = text[:limit].partition("?")
    return repr(head.translate(_DIGITS) + ("?..." if sep else ""))


class IngestOptions(msgspec.Struct):
    """How to read inputs; every field is optional."""

    fmt: str | None = None  # force a format name; None = auto-detect
    nginx_log_format: str | None = None  # nginx log_format string for the "nginx" reader
    default_host: str = ""  # host for log lines that carry none
    default_scheme: str = "https"
    max_body: int = 10 * 1024 * 1024  # bodies above this are truncated (counted)


class IngestReport:
    """Mutable counters shared across the files of one run. Every rejected item is counted;
    only the first ``MAX_REJECTED_SAMPLES`` are kept, so a garbage file cannot grow memory.
    ``events`` and ``by_format`` are folded in every few thousand events by ``read_events``
    and are exact once its iterator is exhausted or closed; rejections count at once."""

    def __init__(self) -> None:
        self.events = 0
        self.rejected = 0
        self.truncated_bodies = 0
        self.by_format: Counter[str] = Counter()
        self.rejected_samples: list[Rejected] = []
        self.last_rejected: Rejected | None = None

    def reject(self, source: str, line: int, reason: str) -> None:
        self.rejected += 1
        item = Rejected(source, line, reason)
        self.last_rejected = item
        if len(self.rejected_samples) < MAX_REJECTED_SAMPLES:
            self.rejected_samples.append(item)

    def clip_body(self, body: bytes, max_body: int) -> bytes:
        """Bodies above ``max_body`` are cut there and counted."""
        if len(body) > max_body:
            self.truncated_bodies += 1
            return body[:max_body]
        return body


class Source(Protocol):
    """One input format. ``sniff`` looks at the first ~64 KiB (already decompressed);
    ``read`` streams events and reports each bad item through ``report.reject``."""

    name: str

    def sniff(self, head: bytes) -> bool: ...

    def read(
        self, stream: BinaryIO, source: str, report: IngestReport, options: IngestOptions
    ) -> Iterator[Event]: ...


SOURCES: Registry[Source] = Registry("source format")
