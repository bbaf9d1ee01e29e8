"""go-ftw request building, copied rule for rule (ftwhttp/request.go)."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phiwatch.detect.waf.ftw import FtwStage, build_request, expand_template, parse_raw_request


def stage(**inp: object) -> FtwStage:
    return FtwStage(file="t.yaml", rule_id=1, test_id=1, stage=0, title="", response_side=False, input=inp)


@pytest.mark.parametrize(
    ("inp", "body", "ctype"),
    [
        ({"method": "POST", "data": "a=1 OR 1=1"}, b"a=1+OR+1%3D1", "application/x-www-form-urlencoded"),
        ({"method": "POST", "data": "a=%27x"}, b"a=%27x", "application/x-www-form-urlencoded"),  # escaped
        ({"method": "POST", "data": "a=1+1"}, b"a=1+1", "application/x-www-form-urlencoded"),  # '+': kept
        ({"method": "POST", "data": "{\"a\": 1}", "headers": {"Content-Type": "application/json"}},
         b'{"a": 1}', "application/json"),  # not a form: never escaped
        ({"method": "POST", "data": "x&y=<b>"}, b"x&y=%3Cb%3E", "application/x-www-form-urlencoded"),
    ],
)  # fmt: skip
def test_data_encoding(inp: dict[str, object], body: bytes, ctype: str) -> None:
    req = build_request(stage(**inp))
    assert req is not None
    assert req.body == body
    headers = dict(req.headers)
    assert headers["Content-Type"] == ctype
    assert headers["Content-Length"] == str(len(body)) and headers["Connection"] == "close"


def test_multipart_lf_becomes_crlf() -> None:
    ct = "multipart/form-data; boundary=X"
    req = build_request(stage(method="POST", data="--X\nA: b\n\nv\n--X--", headers={"Content-Type": ct}))
    assert req is not None and req.body == b"--X\r\nA: b\r\n\r\nv\r\n--X--"


def test_autocomplete_off_adds_nothing() -> None:
    req = build_request(stage(method="POST", data="a=b c", autocomplete_headers=False, headers={"Host": "h"}))
    assert req is not None and req.headers == [("Host", "h")] and req.body == b"a=b c"


def test_defaults_and_empty_post_gets_content_length() -> None:
    req = build_request(stage(method="POST"))
    assert req is not None and req.uri == "/" and ("Content-Length", "0") in req.headers
    get = build_request(stage())
    assert get is not None and get.method == "GET" and not any(h == "Content-Length" for h, _ in get.headers)


def test_template_repeat() -> None:
    assert expand_template('a={{ "1" | repeat 5 }}&b') == "a=11111&b"
    assert expand_template("{{constructor}}") == "{{constructor}}"  # not a template we know


def test_encoded_request() -> None:
    raw = b"GET /x?a=1 HTTP/1.0\r\nHost: h\r\nX: y\r\n\r\nbody"
    req = build_request(stage(encoded_request=base64.b64encode(raw).decode()))
    assert req is not None
    assert (req.method, req.uri, req.http_version, req.body) == ("GET", "/x?a=1", "1.0", b"body")
    assert req.headers == [("Host", "h"), ("X", "y")]


@given(st.binary(max_size=200))
def test_raw_parser_never_raises(raw: bytes) -> None:
    parse_raw_request(raw)


@given(st.text(max_size=100))
def test_template_expansion_never_raises(text: str) -> None:
    expand_template(text)
