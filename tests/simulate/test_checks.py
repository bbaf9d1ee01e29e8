"""The test's own check-digit functions hold on known vectors, and every generated id passes."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phiwatch.simulate import ids
from tests.simulate.checks import loinc_valid, mbi_valid, npi_valid, ssn_synthetic


@pytest.mark.parametrize(
    ("value", "expected", "why"),
    [
        ("1234567893", True, "CMS worked example"),
        ("1234567890", False, "wrong check digit"),
        ("3234567892", False, "first digit must be 1 or 2"),
        ("123456789", False, "nine digits"),
        ("12345678a3", False, "not all digits"),
    ],
)
def test_npi_rule(value: str, expected: bool, why: str) -> None:
    assert npi_valid(value) is expected, why


@pytest.mark.parametrize(
    ("value", "expected", "why"),
    [
        ("1EG4TE5MK73", True, "CMS specimen MBI"),
        ("1EG4-TE5-MK73", False, "dashes are display-only"),
        ("0EG4TE5MK73", False, "first character 1-9"),
        ("1SG4TE5MK73", False, "S is never used"),
        ("1EG4TE5MK7", False, "ten characters"),
    ],
)
def test_mbi_rule(value: str, expected: bool, why: str) -> None:
    assert mbi_valid(value) is expected, why


@pytest.mark.parametrize(
    ("value", "expected", "why"),
    [
        ("8867-4", True, "heart rate"),
        ("8480-6", True, "systolic BP"),
        ("29463-7", True, "body weight"),
        ("2339-0", True, "glucose"),
        ("8867-5", False, "wrong check digit"),
        ("88674", False, "no hyphen"),
    ],
)
def test_loinc_rule(value: str, expected: bool, why: str) -> None:
    assert loinc_valid(value) is expected, why


@pytest.mark.parametrize(
    ("value", "expected", "why"),
    [
        ("999-12-3456", True, "Synthea style"),
        ("912-01-0001", True, "900 area"),
        ("123-45-6789", False, "issuable area: must not be used"),
        ("999-00-1234", False, "group 00"),
        ("999-12-0000", False, "serial 0000"),
    ],
)
def test_ssn_rule(value: str, expected: bool, why: str) -> None:
    assert ssn_synthetic(value) is expected, why


@given(st.integers(min_value=0, max_value=2**63))
def test_generated_ids_pass_their_rules(seed: int) -> None:
    rng = random.Random(seed)
    assert npi_valid(ids.npi(rng))
    assert mbi_valid(ids.mbi(rng))
    assert ssn_synthetic(ids.ssn(rng))
    u = ids.uuid4(rng)
    assert len(u) == 36 and u[14] == "4" and u[19] in "89ab"


def test_vocabulary_loinc_codes_are_valid() -> None:
    from phiwatch.simulate.vocab import OBSERVATIONS

    bad = [code for code, *_ in OBSERVATIONS if not loinc_valid(code)]
    assert bad == []
