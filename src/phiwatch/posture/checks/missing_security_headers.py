"""API8: responses without HSTS (over HTTPS) or ``X-Content-Type-Options: nosniff``."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check, host_key


@check(
    "missing_security_headers",
    title="Missing HSTS or X-Content-Type-Options",
    severity="low",
    owasp="API8:2023",
    hipaa=("164.312(e)(1)",),
    remediation="Send Strict-Transport-Security and X-Content-Type-Options: nosniff on every response.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    for host, h in ctx.hosts():
        missing = []
        if h.no_hsts:
            missing.append("strict-transport-security")
        if h.no_nosniff:
            missing.append("x-content-type-options")
        if missing:
            yield Hit(host_key(host), {"missing": missing, "responses": h.responses})
