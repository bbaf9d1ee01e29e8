"""phone validator: valid values, broken checks or shapes, and look-alikes."""

from __future__ import annotations

import pytest

from phiwatch.classify.validators import Verdict, load_validators

V, X, U = Verdict.VALID, Verdict.INVALID, Verdict.UNKNOWN
validate = load_validators().get("phone")

ROWS = [
    ("(617) 555-0100", V, "formatted NANP"),
    ("+1 617 555 0100", V, "international form"),
    ("6175550100", U, "bare ten digits: could be anything"),
    ("117-555-0100", X, "area code starts with 1"),
    ("617-155-0100", X, "exchange starts with 1"),
    ("617-555-01000", X, "eleven digits not starting with 1"),
    ("617-911-0100", X, "N11 exchange"),
]


@pytest.mark.parametrize(("value", "expected", "why"), ROWS, ids=[r[2] for r in ROWS])
def test_validate(value: str, expected: Verdict, why: str) -> None:
    assert validate(value) is expected, why
