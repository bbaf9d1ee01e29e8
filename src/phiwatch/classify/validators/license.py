"""Certificate or licence number (driver's licence, passport, medical licence): context only (FHIR type
DL/PPN/MD, state DL OIDs, licence keys)."""

from __future__ import annotations

from phiwatch.classify.validators import VALIDATORS, Verdict
from phiwatch.classify.validators._identifier import opaque_id


@VALIDATORS.register("license")
def validate(value: str) -> Verdict:
    return opaque_id(value)
