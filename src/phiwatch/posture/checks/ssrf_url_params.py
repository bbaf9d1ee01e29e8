"""API7: parameters that carry URLs the server may fetch (SSRF candidates)."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "ssrf_url_params",
    title="Parameters carry URLs (server-side request forgery risk)",
    severity="medium",
    owasp="API7:2023",
    hipaa=("164.312(a)(1)",),
    remediation="Avoid fetching client-supplied URLs; otherwise allow-list schemes and hosts, block "
    "private ranges and disable redirects.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    for key, f in ctx.facts():
        if f.url_params:
            yield Hit(key, {"parameters": sorted(f.url_params)[:20]})
