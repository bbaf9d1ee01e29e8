from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from phiwatch.detect.waf.config import Limits
from phiwatch.detect.waf.wire import event_to_wire, ndjson_as_array, percent_encoding_ok
from tests.factories import tevent


def test_path_is_reencoded_and_query_kept_raw() -> None:
    wire, notes = event_to_wire(tevent(path="/Patient/a b", query="name=O%27Brien"), Limits())
    assert wire.uri == "/Patient/a%20b?name=O%27Brien"
    assert notes == ()
    assert ("host", "fhir.example.org") in wire.headers


def test_content_length_added_when_logs_dropped_it() -> None:
    wire, _ = event_to_wire(tevent("POST", "/Patient", req_body=b"{}"), Limits())
    assert ("content-length", "2") in wire.headers


def test_limits_are_applied_and_noted() -> None:
    limits = Limits(body_bytes=10, header_value_bytes=5, headers=1)
    ev = tevent("POST", "/x", req_headers={"a": "123456789", "b": "x"}, req_body=b"y" * 100)
    wire, notes = event_to_wire(ev, limits)
    assert len(wire.body) == 10
    assert dict(wire.headers)["a"] == "12345"
    assert "b" not in dict(wire.headers)
    assert any("body cut" in n for n in notes) and any("dropped" in n for n in notes)


def test_ndjson_becomes_a_json_array() -> None:
    body = b'{"resourceType":"Patient","id":"1"}\n\n{"resourceType":"Patient","id":"2"}\n'
    assert orjson.loads(ndjson_as_array(body, 1 << 20)) == [
        {"resourceType": "Patient", "id": "1"},
        {"resourceType": "Patient", "id": "2"},
    ]


@pytest.mark.parametrize(
    ("text", "ok"),
    [("/a?b=%41%42", True), ("/a?b=%zz", False), ("/a?b=%4", False), ("/a?b=%", False), ("/plain", True)],
)
def test_percent_encoding_ok(text: str, ok: bool) -> None:
    assert percent_encoding_ok(text) is ok


@given(st.binary(max_size=300))
def test_ndjson_wrapping_never_raises(body: bytes) -> None:
    out = ndjson_as_array(body, 128)
    assert out.startswith(b"[") and out.endswith(b"]")
