"""JSONL: phiwatch's own exchange format, one HTTP exchange per line (the simulator writes it).

Each non-blank line is one JSON object::

    {"ts": "2026-03-01T12:00:00.123Z",
     "client_ip": "203.0.113.7",
     "request": {"method": "GET",
                 "url": "https://fhir.example.org/r4/Patient/123?_format=json",
                 "headers": {"Authorization": "Bearer ..."},
                 "body": "text"},
     "response": {"status": 200, "headers": {"Content-Type": "application/fhir+json"},
                  "body_base64": "eyJyZXNvdXJjZVR5cGUiOiJQYXRpZW50In0=", "duration_ms": 12.5}}

Fields:
- ``ts`` (required): an RFC 3339 string (``Z`` or an offset; none means UTC) or a number of
  seconds since the epoch.
- ``client_ip`` (optional, default ""): the caller's address.
- ``request`` (required): ``method`` and ``url`` required. ``url`` is absolute
  (``scheme://host[:port]/path?query``) or origin-form (``/path?query``, then the host
  comes from the ``Host`` header or the ``default_host`` option). Optional ``headers``: an
  object, or a list of ``[name, value]`` pairs (repeated names allowed); optional
  ``http_version``; at most one of ``body`` (UTF-8 text) and ``body_base64`` (bytes).
- ``response`` (optional; absent = no response seen, status 0): ``status``, ``headers``,
  ``body`` / ``body_base64``, ``duration_ms`` (number), all optional.
- Unknown keys are ignored, so producers may add their own (prefix them with ``_``).

In the ``Event``: header names are lower-case and repeated headers are joined with ``", "``;
host, path and query follow ``phiwatch.ingest._url`` (lower-case host without default port,
path as sent with only unreserved escapes decoded, raw query); a missing body is ``None``
(not captured), an empty one ``b""``; bodies above ``max_body`` are cut and counted.
A line that is not such an object is rejected with its line number, the rest is kept.
"""

from __future__ import annotations

import binascii
from base64 import b64decode
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import BinaryIO

import msgspec

from phiwatch.ingest._base import SOURCES, IngestOptions, IngestReport, excerpt
from phiwatch.ingest._lines import iter_blocks
from phiwatch.ingest._url import is_method, normalize_host, split_url
from phiwatch.model import Event, Request, Response

Headers = dict[str, str] | list[tuple[str, str]]


class JsonlRequest(msgspec.Struct, gc=False):  # no cycles: skip GC tracking
    method: str
    url: str
    headers: Headers | None = None
    body: str | None = None
    body_base64: str | None = None
    http_version: str = ""


class JsonlResponse(msgspec.Struct, gc=False):
    status: int = 0
    headers: Headers | None = None
    body: str | None = None
    body_base64: str | None = None
    duration_ms: float | None = None


class JsonlRecord(msgspec.Struct, gc=False):
    ts: datetime | float
    request: JsonlRequest
    response: JsonlResponse | None = None
    client_ip: str = ""


_DECODER = msgspec.json.Decoder(JsonlRecord)
_decode = _DECODER.decode
_NO_RESPONSE = JsonlResponse()


def lower_headers(headers: Headers | None) -> dict[str, str]:
    """Lower-case names; a repeated name joins its values with ", "."""
    out: dict[str, str] = {}
    if not headers:
        return out
    if headers.__class__ is dict:  # the usual object form: a plain loop is the fastest here
        for name, value in headers.items():
            out[name.lower()] = value
        if len(out) == len(headers):  # no name repeated once lower-cased
            return out
        out = {}
    items = headers.items() if isinstance(headers, dict) else headers
    for name, value in items:
        lname = name.lower()
        out[lname] = out[lname] + ", " + value if lname in out else value
    return out


def _body(text: str | None, b64: str | None) -> bytes | None:
    if b64 is not None:
        if text is not None:
            raise ValueError("both body and body_base64 given")
        try:
            return b64decode(b64, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("body_base64 is not valid base64") from None
    if text is not None:
        return text.encode("utf-8", "replace")
    return None


def _epoch(ts: datetime | float) -> float:
    if isinstance(ts, datetime):
        if ts.tzinfo is None:
            ts = ts.replace(tzinfo=UTC)
        return ts.timestamp()
    return float(ts)


_METHODS_SEEN: set[str] = set()  # methods already validated (a handful in practice)


def to_event(rec: JsonlRecord, source: str, line: int, report: IngestReport, options: IngestOptions) -> Event:
    """Build the Event of one decoded record; ``ValueError`` names what is wrong with it."""
    req = rec.request
    method = req.method
    if method not in _METHODS_SEEN:
        if not is_method(method):
            raise ValueError(f"bad request method {excerpt(method, 40)}")
        if len(_METHODS_SEEN) < 256:
            _METHODS_SEEN.add(method)
    scheme, host, path, query = split_url(req.url, options.default_scheme)
    headers = lower_headers(req.headers)
    if not host:
        host_header = headers.get("host")
        host = normalize_host(host_header, scheme) if host_header else options.default_host
    max_body = options.max_body
    body = None
    if req.body is not None or req.body_base64 is not None:
        body = _body(req.body, req.body_base64)
        if body is not None and len(body) > max_body:
            body = report.clip_body(body, max_body)
    resp = rec.response
    if resp is None:
        response = Response()
    else:
        resp_body = None
        if resp.body is not None or resp.body_base64 is not None:
            resp_body = _body(resp.body, resp.body_base64)
            if resp_body is not None and len(resp_body) > max_body:
                resp_body = report.clip_body(resp_body, max_body)
        response = Response(resp.status, lower_headers(resp.headers), resp_body, None, resp.duration_ms)
    ts = rec.ts
    if ts.__class__ is not float:  # epoch seconds decode as float (or int); RFC 3339 as datetime
        ts = ts.timestamp() if ts.__class__ is datetime and ts.tzinfo is not None else _epoch(ts)
    # positional: this runs once per event and keyword passing costs a third of the build
    return Event(
        ts,
        Request(method, path, scheme, host, query, headers, body, None, req.http_version),
        response,
        rec.client_ip,
        source,
        line,
    )


@SOURCES.register("jsonl")
class JsonlSource:
    name = "jsonl"

    @staticmethod
    def sniff(head: bytes) -> bool:
        """The first non-blank line decodes as a record; when the head cuts that line (a
        large body), its start must at least carry the ``ts`` and ``request`` keys."""
        if head.startswith(b"\xef\xbb\xbf"):
            head = head[3:]
        lines = head.split(b"\n")
        for i, raw in enumerate(lines[:50]):
            line = raw.strip()
            if not line:
                continue
            if not line.startswith(b"{"):
                return False
            try:
                _decode(line.decode("utf-8", "replace").encode())
                return True
            except msgspec.ValidationError:
                return False
            except msgspec.DecodeError:
                cut_by_head = i == len(lines) - 1 and len(head) >= 60 * 1024
                return cut_by_head and b'"request"' in line and b'"ts"' in line
        return False

    @staticmethod
    def read(stream: BinaryIO, source: str, report: IngestReport, options: IngestOptions) -> Iterator[Event]:
        max_line = 8 * options.max_body + 1024 * 1024  # base64 + JSON escaping of a full body
        decode = _decode
        for first, block in iter_blocks(stream, source, report, max_line):
            if len(block) > max_line:  # may hold an over-long line: check each one
                yield from _read_lines(block, first, source, report, options, max_line)
                continue
            lines = block.split(b"\n")
            if block.endswith(b"\n"):
                lines.pop()
            # One decode per line, not one per block: finding blank lines and lines holding
            # two objects after a whole-block decode cost more than the per-line calls. A line
            # that does not decode (blank, bad, invalid UTF-8) takes the exact slow path.
            lineno = first - 1
            for raw in lines:
                lineno += 1
                try:
                    rec = decode(raw)
                except (msgspec.DecodeError, UnicodeDecodeError):  # ValidationError included
                    yield from _read_lines(raw, lineno, source, report, options, max_line)
                    continue
                try:
                    event = to_event(rec, source, lineno, report, options)
                except (ValueError, OverflowError, OSError) as exc:
                    report.reject(source, lineno, str(exc))
                    continue
                yield event


def _read_lines(
    block: bytes, first: int, source: str, report: IngestReport, options: IngestOptions, max_line: int
) -> Iterator[Event]:
    lines = block.split(b"\n")
    if block.endswith(b"\n"):
        lines.pop()
    for lineno, raw in enumerate(lines, first):
        if not raw.strip():
            continue
        if len(raw) > max_line:
            report.reject(source, lineno, f"line longer than {max_line} bytes")
            continue
        try:
            try:
                rec = _decode(raw)
            except UnicodeDecodeError:  # invalid UTF-8 inside a string: keep the record
                rec = _decode(raw.decode("utf-8", "replace").encode())
            event = to_event(rec, source, lineno, report, options)
        except msgspec.ValidationError as exc:
            report.reject(source, lineno, f"not a phiwatch JSONL record: {exc}")
            continue
        except msgspec.DecodeError as exc:
            report.reject(source, lineno, f"invalid JSON: {exc}")
            continue
        except (ValueError, OverflowError, OSError) as exc:
            report.reject(source, lineno, str(exc))
            continue
        yield event
