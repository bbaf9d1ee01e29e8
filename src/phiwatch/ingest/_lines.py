"""Line-oriented reading shared by the log formats: bounded line length, CRLF, invalid
UTF-8, container-runtime JSON wrappers, and the truncated-gzip tail."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

import msgspec

from phiwatch.ingest._base import IngestReport
from phiwatch.ingest._input import mark_error_reported, stream_error
from phiwatch.model import Event

MAX_LOG_LINE = 64 * 1024  # far above nginx's 8 KiB request line; longer lines are rejected
BLOCK = 1024 * 1024
_json_decode = msgspec.json.Decoder(dict[str, object]).decode


def iter_blocks(
    stream: BinaryIO, source: str, report: IngestReport, max_line: int, chunk: int = BLOCK
) -> Iterator[tuple[int, bytes]]:
    """(number of its first line, block of whole lines) read ``chunk`` bytes at a time.

    A line that crosses a chunk boundary is carried over; one longer than ``max_line`` is
    rejected and skipped without being held. A partial last line left by a damaged gzip is
    rejected once as the truncation. Lines inside a block are not length-checked: callers
    that need it check each line (a block line is at most ``chunk + max_line`` long)."""
    lineno = 0  # lines consumed so far
    parts: list[bytes] = []  # pieces of a line that crosses chunk boundaries
    held = 0
    skipping = False  # inside an over-long line, dropping bytes up to its end
    read = stream.read
    while True:
        data = read(chunk)
        if not data:
            break
        if skipping:
            nl = data.find(b"\n")
            if nl == -1:
                continue
            data = data[nl + 1 :]
            skipping = False
        last = data.rfind(b"\n")
        if last == -1:
            parts.append(data)
            held += len(data)
            if held > max_line:
                lineno += 1
                report.reject(source, lineno, f"line longer than {max_line} bytes")
                parts, held, skipping = [], 0, True
            continue
        if parts:
            head_end = data.find(b"\n")
            line = b"".join(parts) + data[: head_end + 1]
            parts, held = [], 0
            lineno += 1
            if len(line) > max_line + 1:
                report.reject(source, lineno, f"line longer than {max_line} bytes")
            else:
                yield lineno, line
            block = data[head_end + 1 : last + 1]
        else:
            block = data[: last + 1]
        if block:
            yield lineno + 1, block
            lineno += block.count(b"\n")
        rest = data[last + 1 :]
        if rest:
            parts.append(rest)
            held = len(rest)
    if parts:
        lineno += 1
        error = stream_error(stream)
        if error is not None:  # the last line was cut by the damaged stream
            mark_error_reported(stream)
            report.reject(source, lineno, f"{error}; partial line dropped")
        else:
            yield lineno, b"".join(parts)


def iter_raw_lines(
    stream: BinaryIO, source: str, report: IngestReport, max_line: int
) -> Iterator[tuple[int, bytes]]:
    """(line number, line bytes without EOL) for every non-blank line of at most
    ``max_line`` bytes; longer lines are rejected with their number."""
    for first, block in iter_blocks(stream, source, report, max_line):
        lines = block.split(b"\n")
        if block.endswith(b"\n"):
            lines.pop()
        for i, raw in enumerate(lines, first):
            if len(raw) > max_line:
                report.reject(source, i, f"line longer than {max_line} bytes")
                continue
            if raw.endswith(b"\r"):
                raw = raw[:-1]
            if raw and not raw.isspace():
                yield i, raw


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


def log_events(
    stream: BinaryIO,
    source: str,
    report: IngestReport,
    parse: Callable[[str, int], Event | str],
) -> Iterator[Event]:
    """The read loop every access-log format shares: bounded lines, decoded and unwrapped from
    container JSON, parsed to an Event or a reason, which is rejected with its line number."""
    for lineno, raw in iter_raw_lines(stream, source, report, MAX_LOG_LINE):
        event = parse(unwrap_container(decode_text(raw)), lineno)
        if isinstance(event, str):
            report.reject(source, lineno, event)
            continue
        yield event


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
