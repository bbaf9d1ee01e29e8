"""NPI: 10 digits, first digit 1 or 2, Luhn check over "80840" + the number (CMS rule).
Synthea NPIs (9999xxxxxx) pass Luhn but fail the first-digit rule: UNKNOWN, so a FHIR us-npi
identifier or an ``npi`` key still labels them."""

from __future__ import annotations

from phiwatch.classify.validators import VALIDATORS, Verdict, luhn_ok


@VALIDATORS.register("npi")
def validate(value: str) -> Verdict:
    d = value.strip()
    if len(d) != 10 or not d.isdigit() or not luhn_ok("80840" + d):
        return Verdict.INVALID
    return Verdict.VALID if d[0] in "12" else Verdict.UNKNOWN
