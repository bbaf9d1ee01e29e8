"""Events to wire requests: what a proxy in front of the API would have handed the WAF."""

from __future__ import annotations

from urllib.parse import quote

from phiwatch.detect.waf.config import Limits
from phiwatch.detect.waf.engine import WireRequest
from phiwatch.model import Event

# Characters a client leaves as they are in a path (RFC 3986 pchar plus "/"), so the URI the
# engine sees matches what crossed the wire for ordinary paths and re-encodes the rest.
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"


def event_to_wire(event: Event, limits: Limits) -> tuple[WireRequest, tuple[str, ...]]:
    """The wire request for an event, plus notes for every limit applied."""
    req = event.request
    notes: list[str] = []
    uri = quote(req.path or "/", safe=_PATH_SAFE, errors="surrogateescape")
    if req.query:
        uri = f"{uri}?{req.query}"
    if not percent_encoding_ok(uri):
        notes.append("invalid percent-encoding in URI")
    if len(uri) > limits.uri_bytes:
        uri = uri[: limits.uri_bytes]
        notes.append(f"uri cut to {limits.uri_bytes} bytes")
    headers: list[tuple[str, str]] = []
    has_host = False
    for name, value in req.headers.items():
        if len(headers) >= limits.headers:
            notes.append(f"headers beyond {limits.headers} dropped")
            break
        if len(value) > limits.header_value_bytes:
            value = value[: limits.header_value_bytes]
            notes.append(f"header {name} cut to {limits.header_value_bytes} bytes")
        has_host = has_host or name == "host"
        headers.append((name, value))
    if not has_host and req.host:
        headers.insert(0, ("host", req.host))
    body = req.body or b""
    framed = "content-length" in req.headers or "transfer-encoding" in req.headers
    if req.body is not None and not framed:
        # HAR files and logs often drop framing headers; a real client would have sent one.
        headers.append(("content-length", str(len(body))))
    if body:
        ctype = req.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if ctype in ("application/x-ndjson", "application/ndjson"):
            body = ndjson_as_array(body, limits.body_bytes)
        if len(body) > limits.body_bytes:
            notes.append(f"body cut to {limits.body_bytes} of {len(body)} bytes")
            body = body[: limits.body_bytes]
    version = req.http_version.upper().removeprefix("HTTP/") or "1.1"
    return (
        WireRequest(
            method=req.method.upper() or "GET",
            uri=uri,
            headers=headers,
            body=body,
            http_version=version,
            client_ip=event.client_ip or "0.0.0.0",
        ),
        tuple(notes),
    )


def ndjson_as_array(body: bytes, limit: int) -> bytes:
    """NDJSON -> one JSON array, so the JSON body processor parses every line. Stops once the
    limit is reached (the cut is then noted by the caller)."""
    if len(body) > limit:  # never split a 50 MB body: cut first, at the last whole line
        body = body[:limit].rpartition(b"\n")[0]
    parts: list[bytes] = []
    size = 2
    for line in body.split(b"\n"):
        line = line.strip()
        if not line:
            continue
        parts.append(line)
        size += len(line) + 1
        if size > limit:
            break
    return b"[" + b",".join(parts) + b"]"


_HEX = frozenset("0123456789abcdefABCDEF")


def percent_encoding_ok(text: str) -> bool:
    """Every ``%`` is followed by two hex digits (CRS checks this only from paranoia level 2)."""
    at = text.find("%")
    while at >= 0:
        pair = text[at + 1 : at + 3]
        if len(pair) != 2 or pair[0] not in _HEX or pair[1] not in _HEX:
            return False
        at = text.find("%", at + 3)
    return True
