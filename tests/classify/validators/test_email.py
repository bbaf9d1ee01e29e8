"""email validator: valid values, broken checks or shapes, and look-alikes."""

from __future__ import annotations

import pytest

from phiwatch.classify.validators import Verdict, load_validators

V, X, U = Verdict.VALID, Verdict.INVALID, Verdict.UNKNOWN
validate = load_validators().get("email")

ROWS = [
    ("jane.doe@mail.example.net", V, "plain address"),
    ("mailto:a@b.io", V, "mailto form"),
    ("jane@localhost", X, "no dot in domain"),
    ("jane..doe@mail.com", X, "double dot"),
    ("a@b.c", X, "one-letter top-level domain"),
    ("a b@mail.com", X, "space in the local part"),
]


@pytest.mark.parametrize(("value", "expected", "why"), ROWS, ids=[r[2] for r in ROWS])
def test_validate(value: str, expected: Verdict, why: str) -> None:
    assert validate(value) is expected, why
