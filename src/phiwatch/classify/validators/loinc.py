"""LOINC code: numeric body (1-7 digits) + "-" + a mod-10 check digit (Luhn over body+check).
14 deprecated legacy codes carry wrong check digits; they are INVALID here too."""

from __future__ import annotations

from phiwatch.classify.validators import VALIDATORS, Verdict, luhn_ok


@VALIDATORS.register("loinc")
def validate(value: str) -> Verdict:
    body, dash, check = value.strip().partition("-")
    if not dash or len(check) != 1 or not 1 <= len(body) <= 7:
        return Verdict.INVALID
    if not (body.isascii() and body.isdigit() and check.isdigit()):
        return Verdict.INVALID
    return Verdict.VALID if luhn_ok(body + check) else Verdict.INVALID
