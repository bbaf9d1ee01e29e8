"""Shared checksum helpers and the validator registry's coverage of the contract's categories."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phiwatch.classify.categories import CATEGORIES, STRUCTURE_ONLY
from phiwatch.classify.validators import load_validators, luhn_ok, verhoeff_ok

VALIDATORS = load_validators()


def test_every_category_has_a_validator_or_is_structure_only() -> None:
    missing = [c for c in CATEGORIES if c not in VALIDATORS and c not in STRUCTURE_ONLY]
    assert missing == []


@pytest.mark.parametrize(
    ("digits", "ok"),
    [("79927398713", True), ("79927398710", False), ("4111111111111111", True), ("12a", False)],
)
def test_luhn(digits: str, ok: bool) -> None:
    assert luhn_ok(digits) is ok


@pytest.mark.parametrize(
    ("digits", "ok"),
    [("2363", True), ("2364", False), ("44054006", True), ("404684003", True), ("138875005", True)],
)
def test_verhoeff(digits: str, ok: bool) -> None:
    assert verhoeff_ok(digits) is ok


@given(st.text(alphabet="0123456789", min_size=1, max_size=18))
def test_verhoeff_has_exactly_one_check_digit(body: str) -> None:
    """The dihedral check catches every single-digit error: one check digit fits each body."""
    assert sum(verhoeff_ok(body + d) for d in "0123456789") == 1


@given(st.text(alphabet="0123456789", min_size=1, max_size=18))
def test_luhn_has_exactly_one_check_digit(body: str) -> None:
    assert sum(luhn_ok(body + d) for d in "0123456789") == 1


@given(st.text(max_size=40))
def test_validators_never_raise(value: str) -> None:
    for validate in VALIDATORS.units.values():
        validate(value)
