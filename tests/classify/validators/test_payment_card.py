"""Payment card PAN: IIN range, length per scheme, Luhn."""

from __future__ import annotations

import pytest

from phiwatch.classify.validators import Verdict, load_validators

V, X, U = Verdict.VALID, Verdict.INVALID, Verdict.UNKNOWN
validate = load_validators().get("payment_card")

ROWS = [
    ("4111 1111 1111 1111", V, "Visa test PAN"),
    ("5555555555554444", V, "Mastercard test PAN"),
    ("378282246310005", V, "Amex test PAN"),
    ("4111111111111112", X, "bad Luhn"),
    ("1442431887503330", X, "no issuer starts with 1"),
    ("4444444444444444", X, "one repeated digit"),
    ("4111-1111-1111-1111", V, "dashes"),
    ("6011111111111117", V, "Discover test PAN"),
    ("9111111111111111", X, "no issuer starts with 9"),
    ("41111111111111", X, "Visa of 14 digits"),
]


@pytest.mark.parametrize(("value", "expected", "why"), ROWS, ids=[r[2] for r in ROWS])
def test_validate(value: str, expected: Verdict, why: str) -> None:
    assert validate(value) is expected, why
