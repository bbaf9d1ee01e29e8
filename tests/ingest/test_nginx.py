"""nginx/Apache access logs: combined, custom log_format, garbage lines, property tests."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phiwatch.errors import ConfigError
from phiwatch.ingest import IngestOptions, IngestReport
from phiwatch.ingest.nginx import COMBINED, NginxSource, compile_format, parse_request_line
from tests.ingest.util import read_bytes, rejected_lines

LINE = (
    b'203.0.113.7 - alice [01/Mar/2026:13:00:00 +0100] "GET /r4/Patient/123?_format=json HTTP/1.1" '
    b'200 1532 "https://app.example.org/" "SMART-App/2.1 (iOS)"\n'
)


def test_combined_fields(tmp_path: Path) -> None:
    (ev,), report = read_bytes(tmp_path, LINE, "access.log", IngestOptions(default_host="fhir.example.org"))
    assert report.rejected == 0 and report.by_format["nginx"] == 1
    assert ev.ts == 1772366400.0
    assert ev.client_ip == "203.0.113.7"
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
        "referer": "https://app.example.org/",
        "user-agent": "SMART-App/2.1 (iOS)",
        "host": "fhir.example.org",
    }
    assert req.body is None and ev.response.body is None  # logs carry no bodies
    assert (ev.response.status, ev.response.body_size) == (200, 1532)


CUSTOM = (
    "log_format api '$remote_addr [$time_iso8601] $scheme $http_host \"$request_method $request_uri\" '\n"
    "               '$status $bytes_sent $request_length $request_time \"$http_x_forwarded_for\" '\n"
    "               '\"$http_authorization\" $sent_http_content_type $upstream_addr $request_id';"
)


def test_custom_log_format_directive(tmp_path: Path) -> None:
    line = (
        b'10.0.0.5 [2026-03-01T12:00:00+00:00] https FHIR.example.org:443 "POST /r4/Observation?x=1" '
        b'201 880 1200 0.125 "198.51.100.9, 10.0.0.1" "Bearer eyJ" application/fhir+json '
        b"10.1.0.3:8080 5f2d\n"
    )
    (ev,), report = read_bytes(tmp_path, line, options=IngestOptions(nginx_log_format=CUSTOM, fmt="nginx"))
    assert report.rejected == 0
    assert ev.ts == 1772366400.0 and ev.client_ip == "10.0.0.5"
    assert (ev.request.method, ev.request.host, ev.request.path, ev.request.query) == (
        "POST",
        "fhir.example.org",
        "/r4/Observation",
        "x=1",
    )
    assert ev.request.headers["authorization"] == "Bearer eyJ"
    assert ev.request.headers["x-forwarded-for"] == "198.51.100.9, 10.0.0.1"
    assert ev.response.headers == {"content-type": "application/fhir+json"}
    assert (ev.response.status, ev.response.body_size, ev.request.body_size) == (201, 880, 1200)
    assert ev.response.duration_ms == 125.0


def test_msec_uri_args_format(tmp_path: Path) -> None:
    fmt = "$msec ${host} $request_method $uri?$args $status"
    line = b"1772366400.250 api.example.org GET /Patient?name=jo 404\n"
    (ev,), report = read_bytes(tmp_path, line, options=IngestOptions(nginx_log_format=fmt))
    assert report.rejected == 0  # detected through the given log_format, not combined
    assert ev.ts == 1772366400.25
    assert (ev.request.host, ev.request.path, ev.request.query, ev.response.status) == (
        "api.example.org",
        "/Patient",
        "name=jo",
        404,
    )


def test_unquoted_request_and_user_agent(tmp_path: Path) -> None:
    fmt = "$remote_addr|$time_local|$request|$status|$http_user_agent"
    line = b"203.0.113.7|01/Mar/2026:13:00:00 +0100|GET /a?b=1 HTTP/1.1|200|Mozilla/5.0 (X11; Linux)\n"
    (ev,), report = read_bytes(tmp_path, line, options=IngestOptions(nginx_log_format=fmt, fmt="nginx"))
    assert report.rejected == 0
    assert (ev.request.path, ev.request.query, ev.response.status) == ("/a", "b=1", 200)
    assert ev.user_agent == "Mozilla/5.0 (X11; Linux)"


def test_space_separated_unquoted_fields(tmp_path: Path) -> None:
    fmt = "$remote_addr $time_local $request $status $http_user_agent"
    line = b"203.0.113.7 01/Mar/2026:13:00:00 +0100 GET /a?b=1 HTTP/1.1 200 Mozilla/5.0 (X11; Linux)\n"
    (ev,), report = read_bytes(tmp_path, line, options=IngestOptions(nginx_log_format=fmt, fmt="nginx"))
    assert report.rejected == 0 and ev.ts == 1772366400.0
    assert (ev.request.method, ev.request.path, ev.response.status) == ("GET", "/a", 200)
    assert ev.user_agent == "Mozilla/5.0 (X11; Linux)"  # the last field takes the rest of the line


@pytest.mark.parametrize(
    "fmt",
    [
        COMBINED,
        "$remote_addr $time_local $request $http_user_agent END",  # would need backtracking to fail
        "$remote_addr|$time_local|$request|$http_user_agent|$status END",
    ],
)
def test_non_matching_long_lines_fail_without_backtracking_blowup(fmt: str) -> None:
    compiled = compile_format(fmt)
    for line in ("a " * 20_000, "a|" * 20_000, "1.2.3.4 - " * 4_000, '"' * 40_000):
        assert compiled.match(line) is None  # a lazy-group regex took minutes on these


@pytest.mark.parametrize(
    ("fmt", "why"),
    [
        ("plain text only", "no variables"),
        ("log_format main;", "no quoted format"),
        ("", "empty"),
    ],
)
def test_bad_log_format_is_a_config_error(fmt: str, why: str) -> None:
    with pytest.raises(ConfigError):
        compile_format(fmt)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("GET / HTTP/1.1", ("GET", "/", "HTTP/1.1")),  # the usual
        ("GET /a b HTTP/1.1", ("GET", "/a b", "HTTP/1.1")),  # unescaped space in target
        ("GET /", ("GET", "/", "")),  # HTTP/0.9
        ("PATCHp /products/42 HTTP/1.1", ("PATCHp", "/products/42", "HTTP/1.1")),  # odd token kept
        ("-", "empty"),  # no request
        ("", "empty"),  # nginx 400 without request
        ("\\x16\\x03\\x01\\x00\\xA5\\x01\\x00", "not an HTTP"),  # TLS handshake on the HTTP port
        ("GET /index.php?id=1 HTT", "truncated"),  # cut protocol
        ("GET", "truncated"),  # method only
    ],
)
def test_parse_request_line(line: str, expected: tuple[str, str, str] | str) -> None:
    got = parse_request_line(line)
    if isinstance(expected, str):
        assert isinstance(got, str) and expected in got
    else:
        assert got == expected


def test_garbage_lines_rejected_with_line_numbers(tmp_path: Path) -> None:
    data = b"".join(
        [
            LINE,
            b'198.51.100.1 - - [01/Mar/2026:13:00:01 +0100] "\\x16\\x03\\x01\\x00" 400 157 "-" "-"\n',
            b"garbage that is not a log line\r\n",
            b'198.51.100.1 - - [01/Mar/2026:13:00:01 +0100] "GET /x HTT',  # truncated line
            b"\n",
            b'198.51.100.1 - - [99/Xyz/2026:13:00:01 +0100] "GET /x HTTP/1.1" 200 1 "-" "-"\n',  # bad time
            b'198.51.100.1 - - [01/Mar/2026:13:00:01 +0100] "GET /x HTTP/1.1" abc 1 "-" "-"\n',  # bad status
            b"203.0.113.8" + b"A" * 70_000 + b"\n",  # very long line
            LINE.replace(b"SMART-App", b"SMART-\xff\xfeApp").replace(b"\n", b"\r\n"),  # bad UTF-8 + CRLF
        ]
    )
    events, report = read_bytes(tmp_path, data)
    assert [e.line for e in events] == [1, 8]
    assert rejected_lines(report) == [2, 3, 4, 5, 6, 7]
    assert events[1].request.headers["user-agent"] == "SMART-\ufffd\ufffdApp/2.1 (iOS)"


def test_container_wrapped_lines(tmp_path: Path) -> None:
    wrapped = b'{"log": "' + LINE.rstrip().replace(b'"', b'\\"') + b'\\n", "stream": "stdout"}\n'
    (ev,), report = read_bytes(tmp_path, wrapped, options=IngestOptions(fmt="nginx"))
    assert report.rejected == 0 and ev.request.path == "/r4/Patient/123"


def test_sniff() -> None:
    assert NginxSource.sniff(LINE)
    assert NginxSource.sniff(b"garbage first\n" + LINE)  # one matching line among the first suffices
    assert not NginxSource.sniff(
        b'[2016-04-15T20:17:00.310Z] "POST /api/v1/locations HTTP/2" 204 - 154 0 226 100'
    )
    assert NginxSource.sniff_format(
        b"1772366400.250 h GET /a? 200\n", "$msec $host $request_method $uri?$args $status"
    )


@settings(max_examples=200)
@given(text=st.text(max_size=300))
def test_random_lines_never_raise(text: str) -> None:
    report = IngestReport()
    stream = io.BytesIO(text.encode("utf-8", "surrogatepass"))
    events = list(NginxSource.read(stream, "fuzz", report, IngestOptions()))
    assert len(events) + report.rejected <= len(text.splitlines()) + 1


@settings(max_examples=200)
@given(cut=st.integers(min_value=0, max_value=len(LINE)), junk=st.binary(max_size=5))
def test_mutated_lines_never_raise(cut: int, junk: bytes) -> None:
    report = IngestReport()
    fmt = compile_format(COMBINED)
    assert fmt.match(LINE.decode().rstrip()) is not None
    list(NginxSource.read(io.BytesIO(LINE[:cut] + junk + LINE[cut:]), "mut", report, IngestOptions()))
