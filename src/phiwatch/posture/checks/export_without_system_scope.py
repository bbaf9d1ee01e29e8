"""Healthcare: FHIR Bulk Data ``$export`` accepted from tokens without ``system/`` scopes."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "export_without_system_scope",
    title="Bulk $export without system-level scopes",
    severity="high",
    owasp="API5:2023",
    hipaa=("164.312(a)(1)", "164.502(b)"),
    remediation="Require SMART Backend Services tokens with system/ scopes for $export and limit them to "
    "the groups a client may export.",
    cms=("FHIR Bulk Data Access",),
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    for key, f in ctx.facts():
        if f.export_no_system_ok:
            yield Hit(key, {"requests": f.export_no_system_ok})
