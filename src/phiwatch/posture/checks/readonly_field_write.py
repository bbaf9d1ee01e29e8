"""API3: write endpoints that accept (2xx) request bodies setting ``readOnly`` fields."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check
from phiwatch.posture.schemas import op_schema


@check(
    "readonly_field_write",
    title="Write endpoint accepts read-only fields (mass assignment)",
    severity="high",
    owasp="API3:2023",
    hipaa=("164.312(c)(1)",),
    remediation="Bind request bodies to an input schema without read-only fields and reject unknown "
    "properties.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    schemas = ctx.schemas
    for ep in ctx.endpoints:
        if ep.method not in ("POST", "PUT", "PATCH"):
            continue
        sch = op_schema(schemas, ep.spec)
        f = ctx.observed.endpoints.get(ep.key)
        if sch is None or f is None or not sch.read_only:
            continue
        written = sorted(set(f.request_fields) & sch.read_only)
        if written:
            yield Hit(ep.key, {"read_only_fields": written})
