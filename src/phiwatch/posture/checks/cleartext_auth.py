"""API2: Basic credentials or tokens sent over plain HTTP."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "cleartext_auth",
    title="Credentials sent over plain HTTP",
    severity="critical",
    owasp="API2:2023",
    hipaa=("164.312(e)(1)", "164.312(e)(2)(ii)", "164.312(d)"),
    remediation="Serve the API over TLS only and refuse credentials on plain HTTP; prefer tokens over "
    "Basic authentication.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    for key, f in ctx.facts():
        if f.cleartext_cred:
            yield Hit(key, {"auth_kinds": dict(sorted(f.cleartext_cred.items()))})
