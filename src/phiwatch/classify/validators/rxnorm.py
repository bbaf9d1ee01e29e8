"""RxNorm concept id (RXCUI): 1-8 digits, no leading zero, no check digit: UNKNOWN when
well-formed (only a coding system or key name makes it RxNorm)."""

from __future__ import annotations

from phiwatch.classify.validators import VALIDATORS, Verdict


@VALIDATORS.register("rxnorm")
def validate(value: str) -> Verdict:
    v = value.strip()
    if not 1 <= len(v) <= 8 or not v.isascii() or not v.isdigit() or v[0] == "0":
        return Verdict.INVALID
    return Verdict.UNKNOWN
