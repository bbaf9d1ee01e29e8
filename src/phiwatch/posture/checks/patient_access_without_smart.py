"""Healthcare (CMS Patient Access API): FHIR patient data served to callers that are not
SMART on FHIR tokens (API keys, Basic, sessions, unscoped bearer tokens)."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "patient_access_without_smart",
    title="FHIR Patient Access endpoint without SMART authorization",
    severity="high",
    owasp="API2:2023",
    hipaa=("164.312(d)", "164.312(a)(1)"),
    remediation="Protect Patient Access FHIR endpoints with SMART App Launch (OAuth 2.0 scopes and patient "
    "context) as the CMS Interoperability rule requires.",
    cms=("CMS-9115-F Patient Access API", "SMART App Launch"),
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    for key, f in ctx.facts():
        if f.non_smart_phi_ok:
            yield Hit(key, {"auth_kinds": dict(sorted(f.non_smart_phi_ok.items()))})
