"""API2: JWTs with ``alg: none`` (unsigned) accepted by the API."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "jwt_alg_none",
    title="Unsigned JWTs (alg: none) in use",
    severity="critical",
    owasp="API2:2023",
    hipaa=("164.312(d)", "164.312(c)(1)"),
    remediation="Reject tokens whose alg is none; pin the accepted signing algorithms and verify every "
    "signature.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    for key, f in ctx.facts():
        if f.jwt_alg_none:
            yield Hit(key, {"requests": f.jwt_alg_none})
