"""Health plan beneficiary / member / subscriber id: payer-specific, context only (FHIR type MB/SN,
Coverage.subscriberId, member-id keys)."""

from __future__ import annotations

from phiwatch.classify.validators import VALIDATORS, Verdict
from phiwatch.classify.validators._identifier import opaque_id


@VALIDATORS.register("health_plan_id")
def validate(value: str) -> Verdict:
    return opaque_id(value)
