"""Generic path templating: which segments are values, which are words; cache; properties."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phiwatch.discovery.templating import (
    Templater,
    digit_shape,
    id_name,
    is_variable_segment,
    is_version_segment,
    template_path,
)
from tests.conftest import need_shared

# (path, expected template, reason)
GENERIC = [
    # integers, dates, timestamps
    ("/users/42", "/users/{id}", "integer id"),
    ("/orders/0", "/orders/{id}", "single digit is still an id"),
    ("/events/1706659200", "/events/{id}", "epoch seconds"),
    ("/events/1706659200.123", "/events/{id}", "epoch with fraction"),
    ("/reports/2024-01-31", "/reports/{id}", "ISO date"),
    ("/reports/20240131", "/reports/{id}", "compact date"),
    ("/reports/31.01.2024", "/reports/{id}", "European date with year"),
    ("/reports/2024-01-31T10:15:00Z", "/reports/{id}", "ISO timestamp"),
    # UUIDs, hashes, tokens
    ("/items/550e8400-e29b-41d4-a716-446655440000", "/items/{id}", "UUID"),
    ("/items/550E8400E29B41D4A716446655440000", "/items/{id}", "UUID without dashes, upper case"),
    ("/blobs/d41d8cd98f00b204e9800998ecf8427e", "/blobs/{id}", "md5"),
    ("/blobs/da39a3ee5e6b4b0d3255bfef95601890afd80709", "/blobs/{id}", "sha1"),
    (
        "/blobs/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "/blobs/{id}",
        "sha256",
    ),
    ("/blobs/abcdefabcdefabcdefabcdefabcdefab", "/blobs/{id}", "32 hex letters, no digit: md5 length"),
    ("/s/eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", "/s/{id}", "JWT header, base64url"),
    ("/s/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "/s/{id}", "whole JWT in a segment"),
    ("/s/aBcDeFgHiJkLmNoPqRsT", "/s/{id}", "high-entropy mixed case, no digits"),
    ("/s/Zm9vYmFyYmF6cXV4eHl6enk=", "/s/{id}", "base64 with padding"),
    ("/s/p-D1yc5zQgjmqr5", "/s/{id}", "short opaque token with dash"),
    ("/s/NC4WTmcy", "/s/{id}", "8-char opaque token: upper after the digit"),
    ("/assets/gnav.cb3a3388db.js", "/assets/{id}", "fingerprinted asset name"),
    ("/sc/h/64xk850n3a8uzse6fi11l3vmz", "/sc/h/{id}", "lower-case random with digits"),
    # PHI-shaped values
    ("/lookup/jane.doe@example.org", "/lookup/{id}", "email"),
    ("/lookup/jdoe42@example.org", "/lookup/{id}", "email with digits"),
    ("/patients/MRN00012345", "/patients/{id}", "MRN with prefix"),
    ("/patients/A1234567", "/patients/{id}", "MRN: one letter + 7 digits"),
    ("/patients/P001", "/patients/{id}", "upper-case code with 3 digits"),
    ("/ssn/123-45-6789", "/ssn/{id}", "SSN-like"),
    ("/phone/555-123-4567", "/phone/{id}", "phone-like"),
    ("/phone/+1-555-123-4567", "/phone/{id}", "phone with country code"),
    ("/phone/(555)123-4567", "/phone/{id}", "phone with parentheses"),
    ("/hosts/10.0.0.1", "/hosts/{id}", "IPv4"),
    ("/hosts/2001:db8::1", "/hosts/{id}", "IPv6"),
    ("/hosts/::1", "/hosts/{id}", "IPv6 loopback"),
    ("/x/ab12cd34ef", "/x/{id}", "mixed letter-digit id"),
    ("/cms/img/16x9/525.jpg", "/cms/img/{id}/{id2}", "image size and numeric file name"),
    ("/x/" + "a" * 65, "/x/{id}", "over 64 characters is never a word"),
    # words and versions stay
    ("/v2/health", "/v2/health", "near-miss: version prefix and a word"),
    ("/api/v1/users/me", "/api/v1/users/me", "near-miss: 'me' is a word"),
    ("/api/v1.2/claims", "/api/v1.2/claims", "dotted version"),
    ("/api/V3/claims", "/api/V3/claims", "upper-case version"),
    ("/api/v1beta1/claims", "/api/v1beta1/claims", "pre-release version"),
    ("/api/1.0/claims", "/api/1.0/claims", "bare two-part version"),
    ("/static/app.min.js", "/static/app.min.js", "near-miss: file name without digits"),
    ("/2fa/verify", "/2fa/verify", "near-miss: digit then letters"),
    ("/oauth2/token", "/oauth2/token", "near-miss: word ending in a digit"),
    ("/.well-known/openid-configuration", "/.well-known/openid-configuration", "near-miss: dot word"),
    ("/internal/lab-results/export", "/internal/lab-results/export", "hyphenated words"),
    ("/crypto/sha256", "/crypto/sha256", "algorithm name with 3 digits"),
    ("/video/h264", "/video/h264", "codec name"),
    ("/i18n/en", "/i18n/en", "numeronym"),
    ("/k8s/pods", "/k8s/pods", "numeronym"),
    ("/arch/x86_64", "/arch/x86_64", "architecture name"),
    ("/charset/utf-8", "/charset/utf-8", "word-digit with a dash"),
    ("/stats/covid-19", "/stats/covid-19", "word and a two-digit number"),
    ("/codes/ICD10", "/codes/ICD10", "upper-case standard name"),
    ("/hl7/HL7", "/hl7/HL7", "standard name"),
    ("/x/ExplanationOfBenefit", "/x/ExplanationOfBenefit", "CamelCase is not random"),
    ("/js/XMLHttpRequestEventTarget", "/js/XMLHttpRequestEventTarget", "long CamelCase, acronym"),
    ("/search", "/search", "root word"),
    ("/_search", "/_search", "underscore word"),
    ("/$everything", "/$everything", "operation"),
    ("/metadata", "/metadata", "FHIR capability path is a word anyway"),
    ("/users/~jdoe", "/users/~jdoe", "tilde word is left to cardinality learning"),
    ("/users/alice", "/users/alice", "a name: left to cardinality learning"),
    # normalisation
    ("", "/", "empty path is the root"),
    ("/", "/", "root"),
    ("//users//42/", "/users/{id}", "empty segments dropped"),
    ("users/42", "/users/{id}", "missing leading slash"),
    ("/a/1/b/2/c/3/d/4", "/a/{id}/b/{id2}/c/{id3}/d/{id4}", "ids are numbered in order"),
    ("/users/{userId}/posts/{postId}", "/users/{id}/posts/{id2}", "spec-style placeholders renamed"),
    ("/users/42/_history/3", "/users/{id}/_history/{vid}", "history version after any id"),
]


@pytest.mark.parametrize(("path", "expected", "reason"), GENERIC, ids=[r for _, _, r in GENERIC])
def test_template_generic(path: str, expected: str, reason: str) -> None:
    assert template_path(path) == expected, reason
    assert Templater().template(path) == expected, reason


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        ("v1", True),
        ("V2", True),
        ("v1.2", True),
        ("v2alpha", True),
        ("r4", True),
        ("R4B", True),
        ("stu3", True),
        ("DSTU2", True),
        ("baseR4", True),
        ("baseDstu3", True),
        ("api", False),  # a namespace word, not a version
        ("1.0", False),  # literal, but not a version prefix
        ("vip", False),
        ("r2d2", False),
    ],
)
def test_is_version_segment(segment: str, expected: bool) -> None:
    assert is_version_segment(segment) is expected


def test_id_names() -> None:
    assert [id_name(i) for i in (1, 2, 3, 9, 10, 12)] == [
        "{id}",
        "{id2}",
        "{id3}",
        "{id9}",
        "{id10}",
        "{id12}",
    ]


def test_fhir_rules_can_be_switched_off() -> None:
    # A non-FHIR app under a prefix, where "Account" is a controller: only fhir=False keeps it.
    assert template_path("/portal/Account/Login") == "/portal/Account/{id}"
    assert template_path("/portal/Account/Login", fhir=False) == "/portal/Account/Login"
    # without the FHIR grammar there is no {vid}: only generic rules apply
    assert Templater(fhir=False).template("/Patient/123/_history/2") == "/Patient/{id}/_history/{id2}"


def test_cache_is_bounded_and_consistent() -> None:
    t = Templater(cache_size=100)
    for i in range(1000):
        assert t.template(f"/Patient/{i}") == "/Patient/{id}"
        assert t.cache_len() <= 200
    # a hot path kept across generations still answers the same
    assert t.template("/Patient/999") == "/Patient/{id}"


def test_cache_size_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Templater(cache_size=0)


# -- properties ---------------------------------------------------------------------------------

_SEGMENT_ALPHABET = st.characters(codec="utf-8", exclude_characters="/")
_segments = st.one_of(
    st.text(_SEGMENT_ALPHABET, max_size=80),
    st.sampled_from(
        ["Patient", "Observation", "_history", "$export", "_search", "{id}", "{vid}", "v1", "me"]
    ),
    st.from_regex(r"[A-Za-z0-9._~@:+=-]{1,40}", fullmatch=True),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_segments, max_size=8).map(lambda segs: "/".join(segs)))
def test_template_properties(path: str) -> None:
    out = template_path(path)
    assert out.startswith("/")
    assert "//" not in out
    assert template_path(out) == out, "templating a template must not change it"
    assert template_path(out, fhir=False) == template_path(out, fhir=False)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_template_any_string_never_raises(path: str) -> None:
    out = Templater().template(path)
    assert out.startswith("/")
    assert template_path(out) == out


@settings(max_examples=200, deadline=None)
@given(st.text(_SEGMENT_ALPHABET, min_size=1, max_size=100))
def test_segment_classifier_total(segment: str) -> None:
    assert isinstance(is_variable_segment(segment), bool)


# -- real-world paths ---------------------------------------------------------------------------


def _corpus_paths() -> list[str]:
    har_dir = need_shared("corpora", "ingest", "har")
    paths: set[str] = set()
    for f in sorted(Path(har_dir).glob("*.har")):
        try:
            doc = msgspec.json.decode(f.read_bytes().removeprefix(b"\xef\xbb\xbf"))
        except msgspec.DecodeError:
            continue  # the deliberately broken files belong to the ingest tests
        for entry in (doc.get("log") or {}).get("entries") or []:
            url = (entry.get("request") or {}).get("url")
            if isinstance(url, str):
                paths.add(urlsplit(url).path)
    return sorted(paths)


def test_real_world_paths() -> None:
    paths = _corpus_paths()
    assert len(paths) > 500
    templates = {p: template_path(p) for p in paths}
    for p, t in templates.items():
        assert t.startswith("/") and template_path(t) == t, p
    # Content hashes in real asset URLs become parameters ...
    hashed = [
        p
        for p in paths
        if any(len(s) == 32 and all(c in "0123456789abcdef" for c in s) for s in p.split("/"))
    ]
    assert hashed, "corpus has hex-hash segments"
    assert all("{id" in templates[p] for p in hashed)
    # ... and templating collapses the inventory without flattening it.
    distinct = len(set(templates.values()))
    assert distinct < len(paths) * 0.9
    assert distinct > len(paths) * 0.3


@pytest.mark.parametrize(
    ("path", "shape", "reason"),
    [
        ("/r4/Patient/123", "/r4/Patient/0", "numeric id"),
        ("/r4/Patient/123/_history/4", "/r4/Patient/0/_history/0", "id and version"),
        ("/v2/invoices/007", "/v2/invoices/0", "leading zeros are digits too"),
        ("/v2/invoices", None, "v2 is a word with a digit, not a digit segment"),
        ("/files/12a", None, "digits with a letter: left to the walk"),
        ("/n/\u00b2", None, "a non-ASCII digit is not a number id (it stays a word)"),
        ("/n/\u0661\u0662", None, "Arabic-Indic digits: isdigit() but not ASCII"),
        ("//42//", "//0//", "empty segments are kept: only the digits change"),
        ("", None, "empty path"),
    ],
)
def test_digit_shape(path: str, shape: str | None, reason: str) -> None:
    assert digit_shape(path) == shape, reason


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(_segments, st.integers(0, 10**12).map(str)), max_size=8),
    st.lists(st.integers(0, 10**9), min_size=8, max_size=8),
)
def test_shape_cache_answers_as_the_walk(segs: list[str], other_ids: list[int]) -> None:
    """Two paths that differ only in their all-digit segments get the same template, and the
    second one, answered from the shape cache, matches an uncached walk of it."""
    t = Templater()
    path = "/".join(segs)
    other = "/".join(str(other_ids[i]) if s.isdigit() and s.isascii() else s for i, s in enumerate(segs))
    assert digit_shape(path) == digit_shape(other)
    assert t.compute(path) == template_path(path)
    assert t.compute(other) == template_path(other) == template_path(path)


@pytest.mark.parametrize(
    ("first", "second", "expected", "reason"),
    [
        (
            "/r4/Patient/1",
            "/r4/Patient/22",
            "/r4/Patient/{id}",
            "same head, numeric tail: from the tail memo",
        ),
        ("/Patient/1/_history/2", "/Patient/3/_history/4", "/Patient/{id}/_history/{vid}", "heads differ"),
        ("/users/42", "/users/\u00b2", "/users/{id}", "a non-ASCII digit tail is a word, not the memo's id"),
        ("/v2/items/7", "/v2/items/7a", "/v2/items/{id}", "a tail with a letter takes the walk"),
    ],
)
def test_memos_answer_as_the_walk(first: str, second: str, expected: str, reason: str) -> None:
    t = Templater()
    assert t.compute(first) == template_path(first) == expected, reason
    assert t.compute(second) == template_path(second), reason
