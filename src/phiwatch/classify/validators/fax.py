"""Fax numbers are NANP phone numbers; only context (a ``fax`` key, FHIR telecom system=fax,
HL7 use code) tells them apart, so the phone rules apply."""

from __future__ import annotations

from phiwatch.classify.validators import VALIDATORS, Verdict
from phiwatch.classify.validators.phone import nanp


@VALIDATORS.register("fax")
def validate(value: str) -> Verdict:
    return nanp(value)
