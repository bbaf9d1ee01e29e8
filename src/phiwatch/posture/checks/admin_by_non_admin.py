"""API5: admin or management paths answered 2xx to identities without an admin role or scope."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "admin_by_non_admin",
    title="Admin functions reached by non-admin identities",
    severity="critical",
    owasp="API5:2023",
    hipaa=("164.312(a)(1)", "164.308(a)(4)"),
    remediation="Authorise admin and management functions by role or scope on the server; deny by default.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    for key, f in ctx.facts():
        if f.admin_non_admin_ok:
            yield Hit(key, {"requests": f.admin_non_admin_ok})
