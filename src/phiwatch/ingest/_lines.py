"""Line-oriented reading shared by the log formats: bounded line length, CRLF, invalid
UTF-8, container-runtime JSON wrappers, and the truncated-gzip tail."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

import msgspec

from phiwatch.ingest._base import IngestReport
from phiwatch.ingest._input import mark_error_reported, stream_error

MAX_LOG_LINE = 64 * 1024  # far above nginx's 8 KiB request line; longer lines are rejected
_SKIP_CHUNK = 1024 * 1024
_json_decode = msgspec.json.Decoder(dict[str, object]).decode


def iter_raw_lines(
    stream: BinaryIO, source: str, report: IngestReport, max_line: int
) -> Iterator[tuple[int, bytes]]:
    """(line number, line bytes without EOL) for every non-blank line of at most ``max_line``
    bytes. Longer lines are rejected and skipped without being held in memory; the partial
    last line of a truncated gzip is rejected once as the truncation."""
    readline = stream.readline
    lineno = 0
    while True:
        raw = readline(max_line + 1)
        if not raw:
            return
        lineno += 1
        if not raw.endswith(b"\n"):
            if len(raw) > max_line:
                while True:  # discard the rest of the line, one bounded chunk at a time
                    rest = readline(_SKIP_CHUNK)
                    if not rest or rest.endswith(b"\n"):
                        break
                report.reject(source, lineno, f"line longer than {max_line} bytes")
                continue
            error = stream_error(stream)
            if error is not None:  # the last line was cut by the damaged stream
                mark_error_reported(stream)
                report.reject(source, lineno, f"{error}; partial line dropped")
                return
        line = raw.rstrip(b"\r\n")
        if line.strip():
            yield lineno, line


def decode_text(line: bytes) -> str:
    """Logs are not guaranteed UTF-8: invalid bytes become U+FFFD instead of failing."""
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("utf-8", "replace")


def unwrap_container(text: str) -> str:
    """A log line wrapped by a container runtime or shipper (``{"log": ...}`` from Docker,
    ``{"message": ...}`` from Kubernetes/Filebeat) yields the inner line; others pass through."""
    if not text.startswith("{"):
        return text
    try:
        obj = _json_decode(text)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return text
    for key in ("message", "log", "msg"):
        value = obj.get(key)
        if isinstance(value, str):
            return value.rstrip("\r\n")
    return text


def sniff_lines(head: bytes, matches: Callable[[str], bool], max_lines: int = 30) -> bool:
    """True when one of the first complete lines of ``head`` is in the format."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    lines = head.split(b"\n")
    if len(head) >= 64 * 1024 and len(lines) > 1:
        lines = lines[:-1]  # the last one may be cut by the head boundary
    seen = 0
    for raw in lines:
        if not raw.strip():
            continue
        if len(raw) <= MAX_LOG_LINE and matches(unwrap_container(decode_text(raw.rstrip(b"\r")))):
            return True
        seen += 1
        if seen >= max_lines:
            break
    return False
