"""JSONL, the canonical exchange format: exact fields, bad lines, property tests."""

from __future__ import annotations

import base64
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phiwatch.ingest import IngestOptions, IngestReport
from phiwatch.ingest.jsonl import JsonlSource
from tests.ingest.util import read_bytes, rejected_lines

GOOD = (
    b'{"ts": "2026-03-01T12:00:00.123Z", "client_ip": "203.0.113.7",'
    b' "request": {"method": "GET", "url": "https://FHIR.example.org:443/r4/Patient/123?_format=json",'
    b' "http_version": "HTTP/2",'
    b' "headers": {"Authorization": "Bearer abc", "Accept": "application/fhir+json"}},'
    b' "response": {"status": 200, "headers": [["Content-Type", "application/fhir+json"],'
    b' ["Set-Cookie", "a=1"], ["Set-Cookie", "b=2"]],'
    b' "body": "{\\"resourceType\\":\\"Patient\\"}", "duration_ms": 12.5}}\n'
)


def test_good_record_fields(tmp_path: Path) -> None:
    events, report = read_bytes(tmp_path, GOOD, "traffic.jsonl")
    assert report.rejected == 0 and report.events == 1 and report.by_format["jsonl"] == 1
    (ev,) = events
    assert ev.ts == pytest.approx(1772366400.123)
    assert ev.client_ip == "203.0.113.7"
    assert (ev.request.method, ev.request.scheme, ev.request.host) == ("GET", "https", "fhir.example.org")
    assert (ev.request.path, ev.request.query) == ("/r4/Patient/123", "_format=json")
    assert ev.request.headers == {"authorization": "Bearer abc", "accept": "application/fhir+json"}
    assert ev.request.body is None and ev.request.body_size is None  # not captured
    assert ev.request.http_version == "HTTP/2"
    assert ev.response.status == 200
    assert ev.response.headers == {"content-type": "application/fhir+json", "set-cookie": "a=1, b=2"}
    assert ev.response.body == b'{"resourceType":"Patient"}'
    assert ev.response.duration_ms == 12.5
    assert (ev.source, ev.line) == (str(tmp_path / "traffic.jsonl"), 1)


def test_origin_form_url_numeric_ts_and_base64(tmp_path: Path) -> None:
    body = bytes(range(256))
    line = msgspec.json.encode(
        {
            "ts": 1772366400,
            "request": {
                "method": "POST",
                "url": "/Binary?x=%2F",
                "headers": [["Host", "Api.Example.org:8443"]],
                "body_base64": base64.b64encode(body).decode(),
            },
        }
    )
    (ev,), report = read_bytes(tmp_path, line + b"\r\n")
    assert report.rejected == 0
    assert ev.ts == 1772366400.0
    assert ev.request.host == "api.example.org:8443"  # from the Host header, port kept
    assert ev.request.path == "/Binary" and ev.request.query == "x=%2F"
    assert ev.request.body == body
    assert ev.response.status == 0 and ev.response.body is None  # no response seen


def test_default_host_when_none_is_known(tmp_path: Path) -> None:
    line = b'{"ts": 0, "request": {"method": "GET", "url": "/metadata"}}\n'
    (ev,), _ = read_bytes(tmp_path, line, options=IngestOptions(default_host="fhir.local"))
    assert ev.request.host == "fhir.local"


@pytest.mark.parametrize(
    ("line", "reason_part"),
    [
        (b'{"ts": "2026-03-01T12:00:00Z", "request": {"method": "GET"', "invalid JSON"),  # truncated line
        (b'{"ts": "2026-03-01T12:00:00Z"}', "request"),  # no request
        (b'{"ts": "yesterday", "request": {"method": "GET", "url": "/"}}', "ts"),  # bad ts
        (b'{"ts": 1, "request": {"method": "GE T", "url": "/"}}', "method"),  # method with space
        (b'{"ts": 1, "request": {"method": "GET", "url": "/", "body": "a", "body_base64": "YQ=="}}', "both"),
        (b'{"ts": 1, "request": {"method": "GET", "url": "/", "body_base64": "***"}}', "base64"),
        (b'{"ts": 1, "request": {"method": "GET", "url": "/"}, "response": {"status": "200"}}', "status"),
        (b"[1, 2, 3]", "JSONL record"),  # JSON but not an object
        (b"\xff\xfe garbage", "invalid JSON"),  # invalid UTF-8
    ],
)
def test_bad_lines_rejected_with_line_number(tmp_path: Path, line: bytes, reason_part: str) -> None:
    good = b'{"ts": 1, "request": {"method": "GET", "url": "https://a.example/x"}}\n'
    events, report = read_bytes(tmp_path, good + line + b"\n" + good)
    assert [e.line for e in events] == [1, 3]  # the good data around it is kept
    assert rejected_lines(report) == [2]
    assert reason_part in report.rejected_samples[0].reason


def test_unknown_keys_ignored_and_blank_lines_skipped(tmp_path: Path) -> None:
    data = b'\n{"ts": 1, "_sim": {"actor": "x"}, "request": {"method": "GET", "url": "/a", "_x": 1}}\n\n'
    (ev,), report = read_bytes(tmp_path, data)
    assert report.rejected == 0 and ev.line == 2


def test_bodies_above_max_body_are_cut_and_counted(tmp_path: Path) -> None:
    line = (
        b'{"ts": 1, "request": {"method": "POST", "url": "/", "body": "0123456789"},'
        b' "response": {"body": "abc"}}'
    )
    (ev,), report = read_bytes(tmp_path, line, options=IngestOptions(max_body=4))
    assert ev.request.body == b"0123" and ev.response.body == b"abc"
    assert report.truncated_bodies == 1


def test_sniff() -> None:
    assert JsonlSource.sniff(GOOD)
    assert not JsonlSource.sniff(b'{"log": {"version": "1.2"}}')  # HAR
    assert not JsonlSource.sniff(b'{"message": "GET / HTTP/1.1"}\n')  # a shipper's wrapped log line
    assert not JsonlSource.sniff(b'127.0.0.1 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 1\n')


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400))
def test_random_bytes_never_raise(tmp_path: Path, data: bytes) -> None:
    report = IngestReport()
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(data)
    with path.open("rb") as stream:
        list(JsonlSource.read(stream, "fuzz", report, IngestOptions()))


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=len(GOOD)), junk=st.binary(max_size=8))
def test_mutated_record_never_raises(tmp_path: Path, cut: int, junk: bytes) -> None:
    data = GOOD[:cut] + junk + GOOD[cut:]
    report = IngestReport()
    path = tmp_path / "mut.jsonl"
    path.write_bytes(data)
    with path.open("rb") as stream:
        events = list(JsonlSource.read(stream, "mut", report, IngestOptions()))
    assert len(events) + report.rejected >= 1


def test_two_objects_on_a_line_beside_a_blank_line_keep_exact_numbers(tmp_path: Path) -> None:
    """A whitespace-only line and a line holding two objects: the second is rejected with its
    own number, and the lines after both keep theirs (no object moves to another line)."""
    good = b'{"ts": 1, "request": {"method": "GET", "url": "https://a.example/x"}}'
    data = good + b"\n   \n" + good + good + b"\n" + good + b"\n"
    events, report = read_bytes(tmp_path, data)
    assert [e.line for e in events] == [1, 4]
    assert rejected_lines(report) == [3]


@pytest.mark.parametrize(
    ("headers", "expected", "reason"),
    [
        ({"Accept": "a", "X-Id": "1"}, {"accept": "a", "x-id": "1"}, "names lower-cased"),
        ({"accept": "a"}, {"accept": "a"}, "already lower-case"),
        ({"Accept": "a", "accept": "b"}, {"accept": "a, b"}, "one name once lower-cased: joined in order"),
        ([["Accept", "a"], ["ACCEPT", "b"]], {"accept": "a, b"}, "pairs, repeated"),
        ({}, {}, "empty object"),
    ],
)
def test_header_names(tmp_path: Path, headers: object, expected: dict[str, str], reason: str) -> None:
    rec = {
        "ts": 1,
        "request": {"method": "GET", "url": "/", "headers": headers},
        "response": {"headers": headers},
    }
    (ev,), _ = read_bytes(tmp_path, msgspec.json.encode(rec))
    assert ev.request.headers == expected, reason
    assert ev.response.headers == expected, reason
