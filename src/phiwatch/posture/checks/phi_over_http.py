"""API10: PHI sent or received over plain HTTP (e.g. to a partner's legacy endpoint)."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "phi_over_http",
    title="PHI exchanged over plain HTTP",
    severity="critical",
    owasp="API10:2023",
    hipaa=("164.312(e)(1)", "164.312(e)(2)(ii)"),
    remediation="Exchange PHI with partners over TLS (HTTPS or mutual TLS) only and refuse plain HTTP.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    for key, f in ctx.facts():
        if f.schemes.get("http") and (f.request_phi or f.response_phi):
            phi = sorted(set(f.request_phi) | set(f.response_phi))
            yield Hit(key, {"phi": phi, "http_requests": f.schemes["http"]})
