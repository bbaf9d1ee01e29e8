"""Any other unique identifying number (national id, tax id, patient internal id): context only."""

from __future__ import annotations

from phiwatch.classify.validators import VALIDATORS, Verdict
from phiwatch.classify.validators._identifier import opaque_id


@VALIDATORS.register("other_id")
def validate(value: str) -> Verdict:
    return opaque_id(value)
