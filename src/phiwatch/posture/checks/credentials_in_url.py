"""API2: access tokens or API keys sent in the query string (logged by every proxy)."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "credentials_in_url",
    title="Credentials or tokens sent in the URL",
    severity="high",
    owasp="API2:2023",
    hipaa=("164.312(d)", "164.312(e)(1)"),
    remediation="Send tokens in the Authorization header (or API keys in a header); reject credentials "
    "in query parameters.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    for key, f in ctx.facts():
        if f.cred_in_url:
            yield Hit(key, {"parameters": dict(sorted(f.cred_in_url.items()))})
