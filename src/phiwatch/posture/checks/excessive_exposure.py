"""API3: response fields the spec's response schema does not declare (excessive exposure)."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check
from phiwatch.posture.schemas import op_schema


@check(
    "excessive_exposure",
    title="Responses carry fields absent from the spec schema",
    severity="medium",
    owasp="API3:2023",
    hipaa=("164.502(b)", "164.312(a)(1)"),
    remediation="Serialise responses from an explicit allow-list (the documented schema) instead of "
    "returning whole database objects.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    schemas = ctx.schemas
    for ep in ctx.endpoints:
        sch = op_schema(schemas, ep.spec)
        f = ctx.observed.endpoints.get(ep.key)
        if sch is None or sch.response_fields is None or f is None or not f.response_fields:
            continue
        extra = sorted(set(f.response_fields) - sch.response_fields)
        if extra:
            yield Hit(ep.key, {"fields": extra[:30], "spec": ep.spec})
