"""URL splitting and normalisation shared by every reader."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phiwatch.ingest._url import first_ip, is_method, normalize_host, split_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://FHIR.Example.org/r4/Patient/123?_format=json",
            ("https", "fhir.example.org", "/r4/Patient/123", "_format=json"),
        ),  # host lower-cased, path case kept
        (
            "https://fhir.example.org:443/metadata",
            ("https", "fhir.example.org", "/metadata", ""),
        ),  # default port dropped
        ("http://fhir.example.org:80/", ("http", "fhir.example.org", "/", "")),  # default http port dropped
        (
            "http://fhir.example.org:443/",
            ("http", "fhir.example.org:443", "/", ""),
        ),  # near-miss: 443 is not http's default
        ("https://10.0.2.105:773/", ("https", "10.0.2.105:773", "/", "")),  # other ports kept
        (
            "https://user:secret@api.example.org/x",
            ("https", "api.example.org", "/x", ""),
        ),  # user info never kept
        ("https://[2001:db8::1]:443/a", ("https", "[2001:db8::1]", "/a", "")),  # IPv6 default port
        ("https://[2001:db8::1]:8443/a", ("https", "[2001:db8::1]:8443", "/a", "")),  # IPv6 other port
        ("https://api.example.org", ("https", "api.example.org", "/", "")),  # empty path is /
        ("https://api.example.org?x=1", ("https", "api.example.org", "/", "x=1")),  # query without path
        ("https://api.example.org/a#frag?x", ("https", "api.example.org", "/a", "")),  # fragment dropped
        (
            "/Patient?name=Jo%20e&x=%2F",
            ("https", "", "/Patient", "name=Jo%20e&x=%2F"),
        ),  # origin form; query raw
        ("/a%2Fb/%7Euser/%41", ("https", "", "/a%2Fb/~user/A", "")),  # unreserved decoded, %2F kept
        ("/a%2fb%25", ("https", "", "/a%2Fb%25", "")),  # reserved escapes kept (upper-cased)
        ("/go?next=https://x.example/", ("https", "", "/go", "next=https://x.example/")),  # URL in query
        ("https://a.example?next=http://b/", ("https", "a.example", "/", "next=http://b/")),  # and after host
        ("//cdn.example.org/x", ("https", "cdn.example.org", "/x", "")),  # scheme-relative
    ],
)
def test_split_url(url: str, expected: tuple[str, str, str, str]) -> None:
    assert split_url(url) == expected


@pytest.mark.parametrize(
    ("authority", "scheme", "host"),
    [
        ("Example.ORG:443", "https", "example.org"),  # default port of https
        ("example.org:443", "wss", "example.org"),  # and of wss
        ("example.org:8080", "https", "example.org:8080"),  # other port kept
        ("example.org:", "https", "example.org"),  # empty port
    ],
)
def test_normalize_host(authority: str, scheme: str, host: str) -> None:
    assert normalize_host(authority, scheme) == host


@pytest.mark.parametrize(
    ("token", "ok"),
    [
        ("GET", True),  # the usual
        ("M-SEARCH", True),  # tokens may hold dashes
        ("PATCHp", True),  # odd but a token: servers log it, we keep it
        ("-", False),  # "no request"
        ("\\x16\\x03\\x01", False),  # TLS handshake logged as escapes
        ("", False),  # empty
        ("G" * 40, False),  # absurdly long
    ],
)
def test_is_method(token: str, ok: bool) -> None:
    assert is_method(token) is ok


@pytest.mark.parametrize(
    ("value", "ip"),
    [
        ("203.0.113.7", "203.0.113.7"),  # plain
        ("10.0.0.2, 10.0.0.1, 127.0.0.1", "10.0.0.2"),  # XFF order: client first
        ('"10.5.102.222, 199.96.1.1" 10.2.1.185', "10.5.102.222"),  # quoted list before the peer
        ("192.168.131.39:2817", "192.168.131.39"),  # IPv4 with port
        ("[2001:db8::1]:443", "2001:db8::1"),  # bracketed IPv6 with port
        ("2a03:0:10ff::8000, 10.1.1.1", "2a03:0:10ff::8000"),  # bare IPv6 kept whole
        ("-", ""),  # absent
    ],
)
def test_first_ip(value: str, ip: str) -> None:
    assert first_ip(value) == ip


@given(st.text(max_size=200))
def test_split_url_never_raises(url: str) -> None:
    _, host, path, _ = split_url(url)
    assert path.startswith("/") or path
    assert host == host.lower()
