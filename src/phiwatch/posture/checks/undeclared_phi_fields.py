"""API3: PHI found in response fields the spec does not declare."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check
from phiwatch.posture.schemas import op_schema


@check(
    "undeclared_phi_fields",
    title="PHI in response fields the spec does not declare",
    severity="high",
    owasp="API3:2023",
    hipaa=("164.502(b)", "164.312(a)(1)"),
    remediation="Remove undocumented PHI fields from responses, or document them and justify them under "
    "the minimum-necessary standard.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    schemas = ctx.schemas
    for ep in ctx.endpoints:
        sch = op_schema(schemas, ep.spec)
        f = ctx.observed.endpoints.get(ep.key)
        if sch is None or sch.response_fields is None or f is None:
            continue
        extra = sorted(set(f.phi_fields) - sch.response_fields)
        if extra:
            yield Hit(ep.key, {"fields": extra[:30], "phi": sorted(f.response_phi)})
