"""SNOMED CT identifier: 6-18 digits, no leading zero, Verhoeff check digit, and a partition
identifier (2nd and 3rd digits from the right) of 00/01/02 or 10/11/12."""

from __future__ import annotations

from phiwatch.classify.validators import VALIDATORS, Verdict, verhoeff_ok

_PARTITIONS = frozenset({"00", "01", "02", "10", "11", "12"})


@VALIDATORS.register("snomed")
def validate(value: str) -> Verdict:
    v = value.strip()
    if not 6 <= len(v) <= 18 or not v.isascii() or not v.isdigit() or v[0] == "0":
        return Verdict.INVALID
    if v[-3:-1] not in _PARTITIONS:
        return Verdict.INVALID
    return Verdict.VALID if verhoeff_ok(v) else Verdict.INVALID
