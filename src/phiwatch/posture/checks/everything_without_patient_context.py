"""Healthcare: ``$everything`` answered to user tokens without a SMART patient context."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "everything_without_patient_context",
    title="$everything reached without patient context",
    severity="high",
    owasp="API1:2023",
    hipaa=("164.312(a)(1)", "164.502(b)"),
    remediation="Serve $everything only to tokens whose SMART patient context matches the patient, or to "
    "authorised system clients.",
    cms=("CMS-9115-F Patient Access API",),
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    for key, f in ctx.facts():
        if f.everything_no_patient_ok:
            yield Hit(key, {"requests": f.everything_no_patient_ok})
