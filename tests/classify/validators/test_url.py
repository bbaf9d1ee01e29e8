"""url validator: valid values, broken checks or shapes, and look-alikes."""

from __future__ import annotations

import pytest

from phiwatch.classify.validators import Verdict, load_validators

V, X, U = Verdict.VALID, Verdict.INVALID, Verdict.UNKNOWN
validate = load_validators().get("url")

ROWS = [
    ("https://janedoe.blog/about", U, "personal site"),
    ("http://loinc.org", X, "terminology host"),
    ("ftp://x.org", X, "not http"),
    ("https://localhost/x", X, "no dot in host"),
    ("https://a.hl7.org/x", X, "terminology subdomain"),
]


@pytest.mark.parametrize(("value", "expected", "why"), ROWS, ids=[r[2] for r in ROWS])
def test_validate(value: str, expected: Verdict, why: str) -> None:
    assert validate(value) is expected, why
