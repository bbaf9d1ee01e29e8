"""HAR 1.2: exact fields from a hand-written export, the streaming scanner across chunk
boundaries, broken and truncated entries, and property tests."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phiwatch.ingest import IngestOptions, IngestReport, har
from phiwatch.ingest.har import EntryScanner, HarSource
from tests.ingest.util import read_bytes, rejected_lines, shape

PNG = b"\x89PNG\r\n\x1a\n\x00\x00"


def entry(url: str, **extra: object) -> dict[str, object]:
    base: dict[str, object] = {
        "startedDateTime": "2026-03-01T12:00:00.000Z",
        "time": 42.5,
        "request": {
            "method": "GET",
            "url": url,
            "httpVersion": "http/2.0",
            "headers": [
                {"name": ":authority", "value": "fhir.example.org"},
                {"name": "Accept", "value": "application/fhir+json"},
                {"name": "Cookie", "value": "a=1"},
                {"name": "cookie", "value": "b=2"},
            ],
            "queryString": [],
            "headersSize": -1,
            "bodySize": 0,
        },
        "response": {
            "status": 200,
            "statusText": "OK",
            "headers": [{"name": "Content-Type", "value": "application/fhir+json"}],
            "content": {
                "size": 26,
                "mimeType": "application/fhir+json",
                "text": '{"resourceType":"Patient"}',
            },
            "bodySize": 26,
        },
        "serverIPAddress": "203.0.113.10",
        "_priority": "High",
        "cache": {},
        "timings": {"send": 1, "wait": 40, "receive": 1.5},
    }
    base.update(extra)
    return base


def har_doc(entries: list[object], pages_after: bool = False) -> bytes:
    log: dict[str, object] = {"version": "1.2", "creator": {"name": "test", "version": "1"}}
    if not pages_after:
        log["pages"] = [{"id": "page_1", "title": "x [entries] {", "startedDateTime": "2026-03-01T12:00:00Z"}]
    log["entries"] = entries
    if pages_after:
        log["pages"] = []
    return msgspec.json.encode({"log": log})


def test_fields_of_a_browser_entry(tmp_path: Path) -> None:
    data = har_doc([entry("https://FHIR.example.org/r4/Patient/123?_format=json#top")])
    (ev,), report = read_bytes(tmp_path, data, "export.har")
    assert report.rejected == 0 and report.by_format["har"] == 1
    assert ev.ts == pytest.approx(1772366400.0)
    assert ev.client_ip == ""  # HAR has none
    req = ev.request
    assert (req.method, req.scheme, req.host, req.path, req.query) == (
        "GET",
        "https",
        "fhir.example.org",
        "/r4/Patient/123",
        "_format=json",
    )
    assert req.headers == {"accept": "application/fhir+json", "cookie": "a=1, b=2"}  # pseudo-header dropped
    assert req.http_version == "HTTP/2.0"
    assert req.body is None
    assert ev.response.status == 200
    assert ev.response.headers == {"content-type": "application/fhir+json"}
    assert ev.response.body == b'{"resourceType":"Patient"}'
    assert ev.response.body_size == 26
    assert ev.response.duration_ms == 42.5
    assert ev.line == 1


def test_bodies_base64_missing_postdata_params(tmp_path: Path) -> None:
    b64 = entry("https://a.example/logo.png")
    b64["response"]["content"] = {
        "size": 10,
        "mimeType": "image/png",
        "text": base64.b64encode(PNG).decode(),
        "encoding": "base64",
    }  # type: ignore[index]
    missing = entry("https://a.example/none")
    missing["response"]["content"] = {"size": 120, "mimeType": "text/html"}  # type: ignore[index]
    post_text = entry("https://a.example/Patient")
    post_text["request"]["method"] = "POST"  # type: ignore[index]
    post_text["request"]["postData"] = {"mimeType": "application/json", "text": '{"name":"Jo"}'}  # type: ignore[index]
    post_params = entry("https://a.example/login")
    post_params["request"]["method"] = "POST"  # type: ignore[index]
    post_params["request"]["postData"] = {  # type: ignore[index]
        "mimeType": "application/x-www-form-urlencoded",
        "params": [{"name": "user", "value": "jo doe"}, {"name": "pw", "value": "a&b"}],
    }
    no_response = entry("https://a.example/pending")
    del no_response["response"]
    no_time = entry(
        "https://a.example/later", startedDateTime="2015-02-22T19:28:12.136-08:00", _clientIp="198.51.100.4"
    )
    events, report = read_bytes(
        tmp_path, har_doc([b64, missing, post_text, post_params, no_response, no_time])
    )
    assert report.rejected == 0
    by_path = {e.request.path: e for e in events}
    assert by_path["/logo.png"].response.body == PNG
    assert by_path["/none"].response.body is None and by_path["/none"].response.body_size == 26
    assert by_path["/Patient"].request.body == b'{"name":"Jo"}'
    assert by_path["/login"].request.body == b"user=jo+doe&pw=a%26b"
    assert by_path["/pending"].response.status == 0
    assert by_path["/later"].ts == pytest.approx(1424662092.136)
    assert by_path["/later"].client_ip == "198.51.100.4"  # a recorder's custom field


def test_bom_pages_after_entries_and_bare_forms(tmp_path: Path) -> None:
    doc = har_doc([entry("https://a.example/1"), entry("https://a.example/2")], pages_after=True)
    events, report = read_bytes(tmp_path, b"\xef\xbb\xbf" + doc)
    assert [e.request.path for e in events] == ["/1", "/2"] and report.rejected == 0
    bare, report = read_bytes(tmp_path, msgspec.json.encode(entry("https://a.example/bare")), "bare.har")
    assert [e.request.path for e in bare] == ["/bare"] and report.rejected == 0
    arr, report = read_bytes(tmp_path, msgspec.json.encode([entry("https://a.example/x"), 5]), "arr.har")
    assert [e.request.path for e in arr] == ["/x"] and rejected_lines(report) == [2]


@pytest.mark.parametrize(
    ("bad", "reason_part"),
    [
        ("<<not an object>>", "not an object"),  # a string where an entry should be
        ({"request": "<<not an object>>"}, "no request object"),  # the corpus' broken entry
        ({"request": {"method": "\\x16\\x03", "url": "https://a.example/"}}, "method"),  # TLS bytes
        ({"request": {"method": "GET"}}, "no url"),  # url missing
        ({"startedDateTime": "yesterday", "request": {"method": "GET", "url": "/"}}, "startedDateTime"),
    ],
)
def test_a_broken_entry_is_rejected_and_the_rest_kept(tmp_path: Path, bad: object, reason_part: str) -> None:
    data = har_doc([entry("https://a.example/1"), bad, entry("https://a.example/3")])
    events, report = read_bytes(tmp_path, data)
    assert [(e.line, e.request.path) for e in events] == [(1, "/1"), (3, "/3")]
    assert rejected_lines(report) == [2]
    assert reason_part in report.rejected_samples[0].reason


def test_invalid_json_inside_an_entry(tmp_path: Path) -> None:
    good = msgspec.json.encode(entry("https://a.example/1"))
    data = b'{"log": {"entries": [' + good + b', {"request": {"method": GET}}, ' + good + b"]}}"
    events, report = read_bytes(tmp_path, data)
    assert [e.line for e in events] == [1, 3]
    assert rejected_lines(report) == [2] and "invalid JSON" in report.rejected_samples[0].reason


def test_truncated_har_keeps_complete_entries(tmp_path: Path) -> None:
    data = har_doc([entry(f"https://a.example/{i}") for i in range(1, 5)])
    cut = data.index(b"https://a.example/4")
    events, report = read_bytes(tmp_path, data[:cut])
    assert [e.request.path for e in events] == ["/1", "/2", "/3"]
    assert rejected_lines(report) == [4] and "truncated" in report.rejected_samples[0].reason


def test_not_a_har(tmp_path: Path) -> None:
    events, report = read_bytes(
        tmp_path, b'{"log":\n[\n    2,1,3\n]\n"request:"}', options=IngestOptions(fmt="har")
    )
    assert events == [] and rejected_lines(report) == [1]


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64])
def test_scanner_is_independent_of_chunk_boundaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    tricky = entry('https://a.example/q?s="}]{[\\', _note='a "quoted" \\ {brace} [bracket], "entries": [1]')
    data = har_doc([entry("https://a.example/1"), tricky, entry("https://a.example/3")])
    expected, _ = read_bytes(tmp_path, data)
    monkeypatch.setattr(har, "CHUNK", chunk)
    events, report = read_bytes(tmp_path, data)
    assert report.rejected == 0
    assert [shape(e) for e in events] == [shape(e) for e in expected]
    assert len(events) == 3


def test_oversized_entry_is_rejected_without_holding_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(har, "CHUNK", 1024)
    big = entry("https://a.example/big")
    big["response"]["content"]["text"] = "x" * 50_000  # type: ignore[index]
    data = har_doc([entry("https://a.example/1"), big, entry("https://a.example/3")])
    events, report = read_bytes(tmp_path, data, options=IngestOptions(max_body=100))
    assert [e.line for e in events] == [1, 3]
    assert rejected_lines(report) == [2] and "larger than" in report.rejected_samples[0].reason


def test_sniff() -> None:
    assert HarSource.sniff(b'\xef\xbb\xbf{\n  "log": {"version": "1.2"')
    assert HarSource.sniff(b'{"startedDateTime": "2015-02-22T19:28:12Z", "request": {')  # bare entry
    assert not HarSource.sniff(b'{"ts": 1, "request": {"method": "GET", "url": "/"}}\n')  # JSONL
    assert not HarSource.sniff(b'[2016-04-15T20:17:00.310Z] "GET / HTTP/1.1" 200')  # Envoy


DOC = har_doc([entry("https://a.example/1"), entry("https://a.example/2")])


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=len(DOC)), junk=st.binary(max_size=6))
def test_mutated_har_never_raises(cut: int, junk: bytes) -> None:
    report = IngestReport()
    data = DOC[:cut] + junk + DOC[cut + len(junk) :]
    events = list(HarSource.read(io.BytesIO(data), "mut.har", report, IngestOptions()))
    assert len(events) <= 2


@settings(max_examples=200)
@given(cut=st.integers(min_value=0, max_value=len(DOC)))
def test_any_truncation_keeps_every_complete_entry(cut: int) -> None:
    report = IngestReport()
    events = list(HarSource.read(io.BytesIO(DOC[:cut]), "cut.har", report, IngestOptions()))
    complete = DOC.index(b"}}]") if b"}}]" in DOC else len(DOC)
    first_end = DOC.index(b',{"startedDateTime"', DOC.index(b'"entries"'))
    if cut > first_end:
        assert events and events[0].request.path == "/1"
    if cut < len(DOC) - 2:
        assert report.rejected >= 1 or cut <= DOC.index(b'"entries"') + 11 or cut > complete


@settings(max_examples=150)
@given(data=st.binary(max_size=300))
def test_random_bytes_never_raise(data: bytes) -> None:
    scanner = EntryScanner(io.BytesIO(b"{" + data), "fuzz", IngestReport(), entry_cap=1 << 20)
    list(scanner)
    list(HarSource.read(io.BytesIO(data), "fuzz", IngestReport(), IngestOptions()))
