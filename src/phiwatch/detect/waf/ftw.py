"""go-ftw regression tests (CRS ``tests/regression/tests/**.yaml``) read and turned into requests
exactly as go-ftw v2 builds them (``ftwhttp/request.go``):

* ``data`` is a Go template; CRS only uses ``{{ "x" | repeat N }}``, which is expanded here;
* with data and ``autocomplete_headers`` (default true): add ``Content-Type:
  application/x-www-form-urlencoded`` when absent; when the Content-Type is exactly that, and the
  data has no ``%`` or ``+`` (Go's ``QueryUnescape(data) == data``), escape every key and value
  with ``url.QueryEscape``;
* any Content-Type containing ``multipart/form-data;`` has LF turned into CRLF in the body;
* with autocomplete: ``Connection: close`` when absent, and ``Content-Length`` when absent and the
  request has data or the method matches go-ftw's ``^POST|PUT|PATCH|DELETE$``;
* ``encoded_request`` is a raw base64 request, parsed as it stands.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote_plus

import msgspec
import yaml

from phiwatch.detect.waf.engine import WireRequest


class FtwStage(msgspec.Struct):
    """One stage of one test, with what it expects."""

    file: str
    rule_id: int
    test_id: int
    stage: int
    title: str
    response_side: bool
    input: dict[str, object]
    expect_ids: tuple[int, ...] = ()
    no_expect_ids: tuple[int, ...] = ()
    match_regex: str = ""
    no_match_regex: str = ""
    status: int | None = None
    expect_error: bool = False

    @property
    def key(self) -> str:
        return f"{self.rule_id}-{self.test_id}"

    @property
    def checks_log(self) -> bool:
        return bool(self.expect_ids or self.no_expect_ids or self.match_regex or self.no_match_regex)


def _ids(value: object) -> tuple[int, ...]:
    if isinstance(value, list):
        return tuple(int(v) for v in value)
    if isinstance(value, int):
        return (value,)
    return ()


def load_stages(tests_dir: Path) -> Iterator[FtwStage]:
    """Every stage of every test file under ``tests_dir`` (sorted, so runs are reproducible)."""
    files = sorted(p for p in tests_dir.rglob("*") if p.suffix in (".yaml", ".yml"))
    for path in files:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(doc, dict) or not doc.get("tests"):
            continue
        rule_id = int(doc.get("rule_id") or 0)
        response_side = path.parent.name.startswith("RESPONSE-")
        for test in doc["tests"]:
            test_id = int(test.get("test_id") or 0)
            for index, stage in enumerate(test.get("stages") or ()):
                stage = stage.get("stage", stage)  # the older schema nests it one level down
                yield _stage(path, tests_dir, rule_id, test_id, index, test, stage, response_side)


def _stage(
    path: Path,
    tests_dir: Path,
    rule_id: int,
    test_id: int,
    index: int,
    test: dict[str, object],
    stage: dict[str, object],
    response_side: bool,
) -> FtwStage:
    output = _dict(stage.get("output"))
    log = _dict(output.get("log"))
    return FtwStage(
        file=str(path.relative_to(tests_dir)),
        rule_id=rule_id,
        test_id=test_id,
        stage=index,
        title=str(test.get("desc") or ""),
        response_side=response_side,
        input=_dict(stage.get("input")),
        expect_ids=_ids(log.get("expect_ids") or output.get("expect_ids")),
        no_expect_ids=_ids(log.get("no_expect_ids") or output.get("no_expect_ids")),
        match_regex=str(log.get("match_regex") or output.get("log_contains") or ""),
        no_match_regex=str(log.get("no_match_regex") or output.get("no_log_contains") or ""),
        status=_int_or_none(output.get("status")),
        expect_error=bool(output.get("expect_error")),
    )


def _int_or_none(value: object) -> int | None:
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


def _dict(value: object) -> dict[str, object]:
    return dict(value) if isinstance(value, dict) else {}


def expand_template(data: str) -> str:
    """Expand go-ftw's ``{{ "x" | repeat N }}`` (the only template CRS tests use)."""
    out: list[str] = []
    rest = data
    while "{{" in rest:
        start = rest.index("{{")
        end = rest.find("}}", start)
        if end < 0:
            break
        out.append(rest[:start])
        expr = rest[start + 2 : end].strip()
        text, _, tail = expr.partition("|")
        name, _, count = tail.strip().partition(" ")
        if name == "repeat" and count.strip().isdigit() and len(text.strip()) >= 2:
            out.append(text.strip()[1:-1] * int(count))
        else:
            out.append(rest[start : end + 2])
        rest = rest[end + 2 :]
    out.append(rest)
    return "".join(out)


def _method_has_body(method: str) -> bool:
    # Go regexp `^POST|PUT|PATCH|DELETE$` means "^POST" or "PUT" or "PATCH" or "DELETE$".
    return method.startswith("POST") or "PUT" in method or "PATCH" in method or method.endswith("DELETE")


def _go_query_escape(data: bytes) -> bytes:
    out = bytearray()
    for token in data.split(b"&"):
        key, eq, value = token.partition(b"=")
        out += quote_plus(key, safe="").encode("ascii")
        if eq:
            out += b"=" + quote_plus(value, safe="").encode("ascii")
        out += b"&"
    return bytes(out[:-1])


def _has(headers: list[tuple[str, str]], name: str) -> bool:
    return any(h.lower() == name for h, _ in headers)


def build_request(stage: FtwStage) -> WireRequest | None:
    """The request go-ftw would send for a stage, or None when it cannot be built in-process."""
    inp = stage.input
    raw = inp.get("encoded_request")
    if raw:
        return parse_raw_request(base64.b64decode(str(raw)))
    method = str(inp.get("method") or "GET")
    uri = str(inp.get("uri") if inp.get("uri") is not None else "/")
    version = str(inp.get("version") or "HTTP/1.1")
    headers_in = inp.get("headers") or {}
    headers: list[tuple[str, str]] = []
    if isinstance(headers_in, dict):
        headers = [(str(k), "" if v is None else str(v)) for k, v in headers_in.items()]
    autocomplete = inp.get("autocomplete_headers", True) is not False
    data_in = inp.get("data")
    data = expand_template(str(data_in)).encode("utf-8") if data_in is not None else b""
    if data and autocomplete:
        if not _has(headers, "content-type"):
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        form = any(
            h.lower() == "content-type" and v.lower() == "application/x-www-form-urlencoded"
            for h, v in headers
        )
        if form and b"%" not in data and b"+" not in data:
            data = _go_query_escape(data)
    if any(h.lower() == "content-type" and "multipart/form-data;" in v.lower() for h, v in headers):
        data = data.replace(b"\n", b"\r\n")
    if autocomplete:
        if not _has(headers, "connection"):
            headers.append(("Connection", "close"))
        if not _has(headers, "content-length") and (data or _method_has_body(method)):
            headers.append(("Content-Length", str(len(data))))
    return WireRequest(
        method=method,
        uri=uri,
        headers=headers,
        body=data,
        http_version=version.upper().removeprefix("HTTP/"),
        server_port=int(str(inp.get("port") or 80)),
    )


def parse_raw_request(raw: bytes) -> WireRequest | None:
    """A raw HTTP/1.x request (``encoded_request``) split into line, headers and body."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = raw.partition(b"\n\n")
    lines = head.replace(b"\r\n", b"\n").split(b"\n")
    parts = lines[0].decode("latin-1").split(" ")
    if len(parts) < 2:
        return None
    method, uri = parts[0], parts[1]
    version = parts[2] if len(parts) > 2 else "HTTP/1.1"
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        name, colon, value = line.decode("latin-1").partition(":")
        if colon:
            headers.append((name.strip(), value.strip()))
    return WireRequest(
        method=method, uri=uri, headers=headers, body=body, http_version=version.upper().removeprefix("HTTP/")
    )
