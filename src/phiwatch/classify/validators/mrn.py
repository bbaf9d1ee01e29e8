"""Medical record number: local to each facility, so only context (FHIR type MR, an mrn key, HL7 PID-3)
finds it; the value must look like an id."""

from __future__ import annotations

from phiwatch.classify.validators import VALIDATORS, Verdict
from phiwatch.classify.validators._identifier import opaque_id


@VALIDATORS.register("mrn")
def validate(value: str) -> Verdict:
    return opaque_id(value)
