"""API5: a method the spec does not allow on a documented path, answered 2xx."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check, shape


@check(
    "method_not_in_spec",
    title="Undocumented method succeeds on a documented path",
    severity="high",
    owasp="API5:2023",
    hipaa=("164.312(a)(1)", "164.312(c)(1)"),
    remediation="Answer 405 to every method the API does not document for a path; route by method "
    "explicitly.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    by_shape = ctx.spec_methods
    if not by_shape:
        return
    for ep in ctx.endpoints:
        if ep.spec or ep.status in ("orphan", "documented"):
            continue
        allowed = by_shape.get(shape(ep.path))
        if not allowed:
            continue
        methods = sorted({m for h, m in allowed if h in ("", ep.host)})
        ok = sum(n for code, n in ep.statuses.items() if code.startswith("2"))
        if methods and ep.method not in methods and ok:
            yield Hit(ep.key, {"documented_methods": methods, "successful": ok})
