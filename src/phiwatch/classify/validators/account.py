"""Account number (patient, billing or bank account): context only (FHIR type AN, Account.identifier,
an account key); the value must look like an id."""

from __future__ import annotations

from phiwatch.classify.validators import VALIDATORS, Verdict
from phiwatch.classify.validators._identifier import opaque_id


@VALIDATORS.register("account")
def validate(value: str) -> Verdict:
    return opaque_id(value)
