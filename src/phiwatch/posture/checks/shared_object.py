"""API1: one record served to several patients' tokens that are not its owner (BOLA)."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture import vocab
from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "shared_object",
    title="Same record served to several unrelated patient identities",
    severity="high",
    owasp="API1:2023",
    hipaa=("164.312(a)(1)", "164.502(b)"),
    remediation="Check on every request that the record belongs to the patient in the token's SMART "
    "launch context (or another authorised relationship) before returning it.",
    cms=("Patient Access API",),
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    for key, f in ctx.facts():
        if f.shared_objects and not vocab.is_directory(key.path):  # directory data is public
            yield Hit(
                key,
                {"objects": f.shared_objects, "min_patient_contexts": ctx.options.shared_object_patients},
            )
