"""Envoy default access-log format and its longer variants."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phiwatch.ingest import IngestOptions, IngestReport
from phiwatch.ingest.envoy import EnvoySource
from tests.ingest.util import read_bytes, rejected_lines

DEFAULT = (
    b'[2026-03-01T12:00:00.250Z] "GET /r4/Patient/123?_format=json HTTP/1.1" 200 - 0 1532 12 10 '
    b'"198.51.100.9, 10.0.0.1" "SMART-App/2.1" "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2" '
    b'"FHIR.example.org:443" "10.1.0.3:8080"\n'
)
ISTIO_15 = (
    b'[2026-03-01T12:00:01.000Z] "POST /claims HTTP/2" 503 UF '
    b"upstream_reset_before_response_started{overflow} "
    b'- "-" 310 91 3 - "-" "curl/8.4.0" "ab12" "billing:8080" "-" outbound|8080||billing.svc - '
    b"10.96.0.10:8080 10.244.1.7:51000 - default\n"
)


def test_default_format_fields(tmp_path: Path) -> None:
    (ev,), report = read_bytes(tmp_path, DEFAULT, "envoy.log")
    assert report.rejected == 0 and report.by_format["envoy"] == 1
    assert ev.ts == 1772366400.25
    assert ev.client_ip == "198.51.100.9"  # first X-Forwarded-For address
    req = ev.request
    assert (req.method, req.scheme, req.host, req.path, req.query, req.http_version) == (
        "GET",
        "https",
        "fhir.example.org",
        "/r4/Patient/123",
        "_format=json",
        "HTTP/1.1",
    )
    assert req.headers == {
        "host": "fhir.example.org",
        "user-agent": "SMART-App/2.1",
        "x-forwarded-for": "198.51.100.9, 10.0.0.1",
        "x-request-id": "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2",
    }
    assert (req.body, req.body_size) == (None, 0)
    assert (ev.response.status, ev.response.body_size, ev.response.duration_ms) == (200, 1532, 12.0)


def test_istio_variant_with_details_and_trailing_fields(tmp_path: Path) -> None:
    (ev,), report = read_bytes(tmp_path, ISTIO_15, options=IngestOptions(fmt="envoy", default_scheme="http"))
    assert report.rejected == 0
    assert ev.client_ip == "10.244.1.7"  # DOWNSTREAM_REMOTE_ADDRESS when there is no XFF
    assert (ev.request.method, ev.request.host, ev.request.path, ev.response.status) == (
        "POST",
        "billing:8080",
        "/claims",
        503,
    )
    assert ev.request.body_size == 310 and ev.response.duration_ms == 3.0


@pytest.mark.parametrize(
    ("line", "ok"),
    [
        (b"ACCESS " + DEFAULT, True),  # Ambassador prefix
        (b'{"message":"' + DEFAULT.rstrip().replace(b'"', b'\\"') + b'","stream":"stdout"}\n', True),  # k8s
        (DEFAULT.replace(b"\n", b"\r\n"), True),  # CRLF
        (
            b'[2019-04-08T16:50:12.533Z] "- - -" 0 - 87 254 4 - "-" "-" "-" "-" "172.27.0.2:80"\n',
            False,
        ),  # TCP
        (DEFAULT.replace(b" 200 ", b" 2x0 "), False),  # bad status
        (DEFAULT.replace(b"2026-03-01T12", b"2026-13-01T12"), False),  # month 13
        (DEFAULT[:80] + b"\n", False),  # truncated line
        (DEFAULT.replace(b'"GET ', b'"\\x16\\x03 '), False),  # TLS bytes as method
    ],
)
def test_variants_and_rejections(tmp_path: Path, line: bytes, ok: bool) -> None:
    events, report = read_bytes(tmp_path, DEFAULT + line + DEFAULT, options=IngestOptions(fmt="envoy"))
    if ok:
        assert [e.line for e in events] == [1, 2, 3] and report.rejected == 0
    else:
        assert [e.line for e in events] == [1, 3] and rejected_lines(report) == [2]


def test_sniff() -> None:
    assert EnvoySource.sniff(DEFAULT)
    assert EnvoySource.sniff(b"ACCESS " + DEFAULT)
    assert not EnvoySource.sniff(
        b'203.0.113.7 - - [01/Mar/2026:13:00:00 +0100] "GET / HTTP/1.1" 200 1 "-" "-"\n'
    )


@settings(max_examples=200)
@given(cut=st.integers(min_value=0, max_value=len(ISTIO_15)), junk=st.binary(max_size=5))
def test_mutated_lines_never_raise(cut: int, junk: bytes) -> None:
    data = ISTIO_15[:cut] + junk + ISTIO_15[cut:]
    list(EnvoySource.read(io.BytesIO(data), "mut", IngestReport(), IngestOptions()))


@settings(max_examples=150)
@given(data=st.binary(max_size=300))
def test_random_bytes_never_raise(data: bytes) -> None:
    list(
        EnvoySource.read(
            io.BytesIO(b"[2026-03-01T12:00:00Z] " + data), "fuzz", IngestReport(), IngestOptions()
        )
    )
