"""HAR 1.2 (browser dev tools, proxies, WebPageTest, Polly.JS, Insomnia...), streamed.

Multi-GB HAR files exist, so the document is never loaded whole: ``EntryScanner`` walks the
bytes chunk by chunk with a small bracket-depth, string-aware scanner, finds the
``log.entries`` array and hands over one entry at a time; each entry is decoded alone
(msgspec) and turned into an Event. Memory is one chunk plus the largest entry (capped).

Tolerated, as real exports do it: a UTF-8 BOM; keys in any order (``entries`` before or
after ``pages``); a bare entry object or a bare array of entries instead of a HAR (Polly and
test fixtures write those); ``startedDateTime`` in any ISO 8601 form (missing: the
previous entry's time); ``response`` missing or status 0 (no response seen: status 0);
``content.text`` missing (body ``None``: not captured) or base64 (``encoding: "base64"``;
invalid base64 leaves the body ``None``); ``postData.text`` or, without it, ``postData.params``
(rebuilt as a form-urlencoded body); HTTP/2 pseudo-headers (dropped from ``headers``,
``:authority`` used as host when the URL has none); ``_custom`` fields (ignored).
``time`` is ``duration_ms``. HAR has no client address: ``client_ip`` is "" unless the
recorder added one as a custom field (``_clientIp``, ``_clientIPAddress``, see ``CLIENT_IP_KEYS``).

Bad input: an entry that is not valid JSON or lacks a usable request is rejected with its
entry number (1-based) and the others kept; a truncated HAR keeps every complete entry and
rejects the cut one; a document without an entries array is one rejection.
"""

from __future__ import annotations

import binascii
import re
from base64 import b64decode
from collections.abc import Iterator
from typing import Any, BinaryIO
from urllib.parse import urlencode

import msgspec

from phiwatch.ingest._base import SOURCES, IngestOptions, IngestReport, excerpt
from phiwatch.ingest._input import mark_error_reported, stream_error
from phiwatch.ingest._timeparse import IsoParser
from phiwatch.ingest._url import is_method, normalize_host, split_url
from phiwatch.model import Event, Request, Response

CHUNK = 1024 * 1024
ROOT_CAP = 16 * 1024 * 1024  # a bare entry / bare array document is decoded whole up to this
_STRUCT = re.compile(rb'["{}\[\],]')
_STRING_BODY = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*')
# Inside an entry only brackets matter: skip runs of other bytes and whole strings in one go.
_ENTRY_SKIP = re.compile(rb'(?:[^"{}\[\]]++|"[^"\\]*+(?:\\.[^"\\]*+)*+")*+')
_BOM = b"\xef\xbb\xbf"
_decode_json = msgspec.json.Decoder().decode


class _Container:
    __slots__ = ("expect_key", "is_obj", "key")

    def __init__(self, is_obj: bool, key: str | None) -> None:
        self.is_obj = is_obj
        self.key = key
        self.expect_key = is_obj


class EntryScanner:
    """Yields ``(entry number, entry JSON bytes)`` for each object in ``log.entries``.

    Non-object elements, entries over ``entry_cap`` bytes and the entry cut by the end of
    input are rejected through ``report``; so is a document without an entries array."""

    def __init__(self, stream: BinaryIO, source: str, report: IngestReport, entry_cap: int) -> None:
        self.stream = stream
        self.source = source
        self.report = report
        self.entry_cap = entry_cap
        self.entries_found = False
        self.bare: dict[str, Any] | None = None  # set when the document is one bare entry

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        report, source = self.report, self.source
        buf = b""
        pos = 0
        eof = False
        need_more = True
        first = True
        stack: list[_Container] = []
        pending_key: str | None = None
        in_string = False
        str_start = -1  # offset of the opening quote of a key being read, else -1
        str_is_key = False
        entries_depth = -1  # len(stack) inside the entries array
        entry_start = -1  # offset of the current entry's "{", -1 when not held
        in_entry = False
        oversize = False
        entry_n = 0
        elem_other = False  # current entries element is not an object
        elem_obj = False  # current entries element was an object (already counted)
        sep_pos = 0  # offset just after the last separator at the entries level
        root_start = -1
        done = False
        while not done:
            if need_more or pos >= len(buf):
                if eof:
                    break
                keep = pos
                for mark in (entry_start, root_start, str_start if str_is_key else -1):
                    if mark != -1 and mark < keep:
                        keep = mark
                if keep:
                    buf = buf[keep:]
                    pos -= keep
                    entry_start = entry_start - keep if entry_start != -1 else -1
                    root_start = root_start - keep if root_start != -1 else -1
                    str_start = str_start - keep if str_start != -1 else -1
                    sep_pos = max(sep_pos - keep, 0)
                data = self.stream.read(CHUNK)
                if first:
                    first = False
                    if data.startswith(_BOM):
                        data = data[3:]
                if not data:
                    eof = True
                    if need_more and in_string:
                        break
                buf += data
                need_more = False
                if in_entry and entry_start != -1 and len(buf) - entry_start > self.entry_cap:
                    oversize, entry_start = True, -1
                if root_start != -1 and len(buf) - root_start > ROOT_CAP:
                    root_start = -1
                continue
            if in_string:
                end = _STRING_BODY.match(buf, pos).end()  # type: ignore[union-attr]
                if end < len(buf) and buf[end] == 0x22:
                    in_string = False
                    if str_is_key:
                        if str_start != -1 and end - str_start <= 64:
                            pending_key = buf[str_start + 1 : end].decode("utf-8", "replace")
                        else:
                            pending_key = None
                        stack[-1].expect_key = False
                        str_is_key, str_start = False, -1
                    pos = end + 1
                else:
                    pos, need_more = end, True
                    if str_start != -1 and end - str_start > 64:
                        str_start = -1  # a key this long is not one we look for
                continue
            if in_entry:
                p = _ENTRY_SKIP.match(buf, pos).end()  # type: ignore[union-attr]
                if p >= len(buf):
                    pos, need_more = p, True
                    continue
            else:
                m = _STRUCT.search(buf, pos)
                if m is None:
                    pos, need_more = len(buf), True
                    continue
                p = m.start()
            ch = buf[p]
            pos = p + 1
            depth = len(stack)
            if ch == 0x22:  # "
                in_string = True
                top = stack[-1] if stack else None
                str_is_key = top is not None and top.is_obj and top.expect_key
                str_start = p if str_is_key else -1
                if depth == entries_depth:
                    elem_other = True
            elif ch == 0x7B or ch == 0x5B:  # { [
                top = stack[-1] if stack else None
                key = pending_key if top is not None and top.is_obj else None
                pending_key = None
                if depth == entries_depth:
                    if ch == 0x7B and not elem_other:
                        entry_n += 1
                        elem_obj = True
                        in_entry, oversize, entry_start = True, False, p
                    else:
                        elem_other = True
                elif entries_depth == -1 and ch == 0x5B:
                    is_entries = (depth == 0) or (
                        depth == 2 and key == "entries" and stack[1].key == "log" and stack[0].is_obj
                    )
                    if is_entries:
                        entries_depth = depth + 1
                        self.entries_found = True
                        root_start = -1
                        sep_pos = pos
                if depth == 0 and ch == 0x7B:
                    root_start = p
                stack.append(_Container(ch == 0x7B, key))
            elif ch == 0x7D or ch == 0x5D:  # } ]
                if not stack:
                    continue
                stack.pop()
                depth = len(stack)
                if depth == entries_depth and in_entry:
                    in_entry = False
                    if oversize:
                        report.reject(source, entry_n, f"entry larger than {self.entry_cap} bytes")
                    else:
                        yield entry_n, buf[entry_start : p + 1]
                    entry_start = -1
                elif depth == entries_depth - 1 and entries_depth != -1:
                    if not elem_obj:
                        entry_n = self._end_element(buf, sep_pos, p, elem_other, entry_n)
                    done = True
                elif depth == 0 and root_start != -1:
                    entry_n = self._bare_document(buf[root_start : p + 1])
                    root_start = -1
                    done = True
            elif ch == 0x2C:  # ,
                if stack and stack[-1].is_obj:
                    stack[-1].expect_key = True
                if depth == entries_depth:
                    if not elem_obj:
                        entry_n = self._end_element(buf, sep_pos, p, elem_other, entry_n)
                    elem_other, elem_obj, sep_pos = False, False, pos
        if done:
            return
        error = stream_error(self.stream)
        suffix = f" ({error})" if error else ""
        if in_entry:
            mark_error_reported(self.stream)
            report.reject(source, entry_n, f"truncated HAR: entry cut by the end of input{suffix}")
        elif entries_depth != -1:
            mark_error_reported(self.stream)
            report.reject(source, entry_n + 1, f"truncated HAR: entries array not closed{suffix}")
        elif not self.entries_found:
            mark_error_reported(self.stream)
            report.reject(source, 1, f"no HAR log.entries array found{suffix}")

    def _end_element(self, buf: bytes, start: int, end: int, other: bool, entry_n: int) -> int:
        """At a separator: a non-object element (or a bare scalar) is counted and rejected."""
        if other or buf[start:end].strip():
            entry_n += 1
            self.report.reject(self.source, entry_n, "entry is not an object")
        return entry_n

    def _bare_document(self, doc: bytes) -> int:
        """No ``log.entries``: a bare entry object is entry 1; anything else is rejected."""
        try:
            obj = _decode_json(doc.decode("utf-8", "replace").encode())
        except msgspec.DecodeError as exc:
            self.report.reject(self.source, 1, f"no HAR log.entries array found ({exc})")
            return 0
        if isinstance(obj, dict) and "request" in obj:
            self.bare = obj
            self.entries_found = True
            return 1
        self.report.reject(self.source, 1, "no HAR log.entries array found")
        return 0


def _num(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _size(value: object) -> int | None:
    return (
        int(value) if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0 else None
    )


def _headers(items: object) -> tuple[dict[str, str], str]:
    """HAR ``[{name, value}]`` -> lower-case dict (repeats joined) and ``:authority``."""
    out: dict[str, str] = {}
    authority = ""
    if not isinstance(items, list):
        return out, authority
    for item in items:
        if not isinstance(item, dict):
            continue
        name = item.get("name")
        if not isinstance(name, str) or not name:
            continue
        value = item.get("value")
        text = value if isinstance(value, str) else "" if value is None else str(value)
        lname = name.lower()
        if lname.startswith(":"):
            if lname == ":authority":
                authority = text
            continue
        out[lname] = out[lname] + ", " + text if lname in out else text
    return out, authority


def _content(obj: object) -> bytes | None:
    """``content`` / ``postData`` text -> bytes (base64 decoded); None when not captured."""
    if not isinstance(obj, dict):
        return None
    text = obj.get("text")
    if isinstance(text, str):
        if obj.get("encoding") == "base64":
            try:
                return b64decode(text, validate=False)
            except (binascii.Error, ValueError):
                return None
        return text.encode("utf-8", "replace")
    params = obj.get("params")
    if isinstance(params, list) and params:
        pairs = [
            (str(p.get("name", "")), str(p.get("value", "")))
            for p in params
            if isinstance(p, dict) and p.get("name") is not None
        ]
        return urlencode(pairs).encode("ascii")
    return None


def _version(value: object) -> str:
    if not isinstance(value, str):
        return ""
    return value.upper() if value.lower().startswith("http/") else value


CLIENT_IP_KEYS = ("_clientIp", "_clientIP", "_clientIPAddress", "_client_ip", "clientIPAddress")


def _client_ip(entry: dict[str, Any]) -> str:
    """HAR 1.2 has no client address; some recorders (phiwatch's simulator among them) add one."""
    for key in CLIENT_IP_KEYS:
        value = entry.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


class EntryConverter:
    """One HAR entry (decoded JSON) -> Event, or the reason it is rejected."""

    def __init__(self, source: str, report: IngestReport, options: IngestOptions) -> None:
        self.source = source
        self.report = report
        self.options = options
        self.iso = IsoParser()
        self.last_ts = 0.0

    def event(self, entry: Any, n: int) -> Event | str:
        if not isinstance(entry, dict):
            return "entry is not an object"
        req = entry.get("request")
        if not isinstance(req, dict):
            return "entry has no request object"
        nested = req.get("postData")
        if "url" not in req and isinstance(nested, dict) and "url" in nested:
            # Some old exporters (haralyzer's fixtures) nest the request inside postData
            # and the entry's timing inside request: read them from where they are.
            entry = {**req, **entry}
            req = {**nested, "postData": None}
        method, url = req.get("method"), req.get("url")
        if not isinstance(method, str) or not is_method(method):
            return f"bad request method {excerpt(str(method), 40)}"
        if not isinstance(url, str) or not url:
            return "request has no url"
        started = entry.get("startedDateTime")
        if started is None:
            ts = self.last_ts
        else:
            parsed = self.iso(started) if isinstance(started, str) else None
            if parsed is None:
                return f"bad startedDateTime {excerpt(str(started), 40)}"
            ts = self.last_ts = parsed
        opts = self.options
        scheme, host, path, query = split_url(url, opts.default_scheme)
        headers, authority = _headers(req.get("headers"))
        if not host:
            fallback = headers.get("host") or authority
            host = normalize_host(fallback, scheme) if fallback else opts.default_host
        body = _content(req.get("postData"))
        if body is not None:
            body = self.report.clip_body(body, opts.max_body)
        resp = entry.get("response")
        response = Response(status=0)
        if isinstance(resp, dict):
            status = resp.get("status")
            resp_headers, _ = _headers(resp.get("headers"))
            content = resp.get("content")
            resp_body = _content(content)
            if resp_body is not None:
                resp_body = self.report.clip_body(resp_body, opts.max_body)
            size = _size(resp.get("bodySize"))
            if size is None and isinstance(content, dict):
                size = _size(content.get("size"))
            response = Response(
                status=int(status) if isinstance(status, int | float) and 0 <= status < 1000 else 0,
                headers=resp_headers,
                body=resp_body,
                body_size=size,
            )
        duration = _num(entry.get("time"))
        response.duration_ms = duration if duration is not None and duration >= 0 else None
        return Event(
            ts=ts,
            request=Request(
                method=method,
                path=path,
                scheme=scheme,
                host=host,
                query=query,
                headers=headers,
                body=body,
                body_size=_size(req.get("bodySize")),
                http_version=_version(req.get("httpVersion")),
            ),
            response=response,
            client_ip=_client_ip(entry),
            source=self.source,
            line=n,
        )


@SOURCES.register("har")
class HarSource:
    name = "har"

    @staticmethod
    def sniff(head: bytes) -> bool:
        """A JSON object whose first key is ``log``, or one that looks like a HAR entry."""
        text = head[3:] if head.startswith(_BOM) else head
        text = text.lstrip()
        if text.startswith(b"["):
            text = text[1:].lstrip()
        if not text.startswith(b"{"):
            return False
        if re.match(rb'\{\s*"log"\s*:', text):
            return True
        window = text[:65536]
        return b'"startedDateTime"' in window and b'"request"' in window

    @staticmethod
    def read(stream: BinaryIO, source: str, report: IngestReport, options: IngestOptions) -> Iterator[Event]:
        convert = EntryConverter(source, report, options)
        scanner = EntryScanner(stream, source, report, entry_cap=8 * options.max_body + CHUNK)
        for n, raw in scanner:
            try:
                try:
                    entry = _decode_json(raw)
                except UnicodeDecodeError:  # invalid UTF-8 inside a string: keep the entry
                    entry = _decode_json(raw.decode("utf-8", "replace").encode())
            except msgspec.DecodeError as exc:
                report.reject(source, n, f"invalid JSON in entry: {exc}")
                continue
            event = convert.event(entry, n)
            if isinstance(event, str):
                report.reject(source, n, event)
                continue
            yield event
        if scanner.bare is not None:
            event = convert.event(scanner.bare, 1)
            if isinstance(event, str):
                report.reject(source, 1, event)
            else:
                yield event
