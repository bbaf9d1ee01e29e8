"""Traffic ingestion: input files -> ``phiwatch.model.Event``, streamed in constant memory.

One module per format, each registering itself in ``SOURCES``: ``har`` (HAR 1.2),
``jsonl`` (phiwatch's exchange format), ``alb`` (AWS ALB), ``envoy`` (Envoy default
format), ``nginx`` (``combined`` or any ``log_format``). gzip is read transparently, by magic
bytes. The format is sniffed from the first 64 KiB, most specific format first
(``DETECT_ORDER``).

Errors: a file that cannot be read at all raises ``InputError`` (one line: the CLI exits 2).
Inside a readable file, every bad record becomes ``report.reject(file, line, reason)`` and
the rest is kept; a truncated or corrupt gzip keeps what was decoded before the break and
adds one rejection. An empty file (0 bytes, or only blank bytes after decompression) yields
no events and no rejection: there is nothing in it to lose.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from phiwatch.errors import InputError
from phiwatch.ingest import alb, envoy, har, jsonl, nginx
from phiwatch.ingest._base import SOURCES, IngestOptions, IngestReport, Source
from phiwatch.ingest._input import consumed_bytes, open_input, read_head, stream_error
from phiwatch.model import Event

# Most specific first: JSON documents, then log lines whose prefix is distinctive, and
# nginx/Apache (the loosest line shape) last.
DETECT_ORDER = ("har", "jsonl", "alb", "envoy", "nginx")
HEAD_SIZE = 64 * 1024
_PROGRESS_EVERY = 2048


def _sniff(head: bytes, options: IngestOptions | None) -> str | None:
    for name in DETECT_ORDER:
        if SOURCES.get(name).sniff(head):
            return name
    if (
        options is not None
        and options.nginx_log_format
        and nginx.NginxSource.sniff_format(head, options.nginx_log_format)
    ):
        return "nginx"
    return None


def _head(path: str | Path) -> bytes:
    stream = open_input(path)
    try:
        return read_head(stream, HEAD_SIZE)
    finally:
        stream.close()


def detect_format(path: str | Path, options: IngestOptions | None = None) -> str:
    """The name of the format of ``path``; ``InputError`` (naming the file) when none fits.
    With ``options.nginx_log_format``, lines in that format count as ``nginx`` too."""
    head = _head(path)
    if not head.strip() and len(head) < HEAD_SIZE:
        raise InputError(str(path), None, "empty input: no format to detect")
    name = _sniff(head, options)
    if name is None:
        tried = ", ".join(DETECT_ORDER)
        raise InputError(str(path), None, f"unrecognised input format (tried {tried}; use a forced format)")
    return name


def read_events(
    path: str | Path,
    report: IngestReport,
    options: IngestOptions | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Event]:
    """Stream the events of one file, counting them and every rejection in ``report``.

    ``progress(n)`` gets the number of on-disk (compressed) bytes consumed so far, now and
    then and once at the end. Raises ``InputError`` before the first event when the file
    cannot be opened or its format is unknown; never while reading its records."""
    options = options or IngestOptions()
    source = str(path)
    if options.fmt is not None:
        fmt = SOURCES.get(options.fmt).name  # ConfigError for an unknown name
    else:
        head = _head(path)
        if not head.strip() and len(head) < HEAD_SIZE:  # the whole file is blank
            return iter(())
        fmt = _sniff(head, options) or ""
        if not fmt:
            tried = ", ".join(DETECT_ORDER)
            raise InputError(source, None, f"unrecognised input format (tried {tried}; use a forced format)")
    stream = open_input(path)
    return _stream(stream, SOURCES.get(fmt), source, report, options, progress)


def _stream(
    stream: BinaryIO,
    reader: Source,
    source: str,
    report: IngestReport,
    options: IngestOptions,
    progress: Callable[[int], None] | None,
) -> Iterator[Event]:
    # Counters are folded into the report in batches (this loop runs once per event); they
    # are exact whenever the iterator is exhausted or closed.
    name = reader.name
    pending = 0
    event = None
    try:
        for event in reader.read(stream, source, report, options):
            pending += 1
            if pending == _PROGRESS_EVERY:
                report.events += pending
                report.by_format[name] += pending
                pending = 0
                if progress is not None:
                    progress(consumed_bytes(stream))
            yield event
        error = stream_error(stream)
        if error is not None:
            last_line = event.line if event is not None else 0  # of the last event yielded
            rejected = report.last_rejected
            if rejected is not None and rejected.source == source:
                last_line = max(last_line, rejected.line)
            report.reject(source, last_line + 1, error)
        if progress is not None:
            progress(consumed_bytes(stream))
    finally:
        if pending:
            report.events += pending
            report.by_format[name] += pending
        stream.close()


__all__ = [
    "DETECT_ORDER",
    "SOURCES",
    "IngestOptions",
    "IngestReport",
    "Source",
    "alb",
    "detect_format",
    "envoy",
    "har",
    "jsonl",
    "nginx",
    "open_input",
    "read_events",
]
