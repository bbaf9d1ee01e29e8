"""API2: PHI returned to requests that carried no credential at all. Provider Directory
resources are public by CMS rule and never reported."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture import vocab
from phiwatch.posture.checks import CheckContext, Hit, check

NOT_PATIENT_DATA = frozenset({"credential"})


@check(
    "missing_auth",
    title="PHI endpoint reachable without authentication",
    severity="critical",
    owasp="API2:2023",
    hipaa=("164.312(d)", "164.312(a)(1)"),
    remediation="Require an access token (SMART on FHIR / OAuth 2.0) on every endpoint that returns PHI; "
    "answer 401 otherwise.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    for key, f in ctx.facts():
        # a login answer carries the caller's own new credential, not patient data
        phi = sorted(set(f.response_phi) - NOT_PATIENT_DATA)
        if f.anon_ok_phi and phi and not vocab.is_directory(key.path) and not vocab.is_auth_flow(key.path):
            yield Hit(key, {"unauthenticated_responses": f.anon_ok_phi, "phi": phi})
