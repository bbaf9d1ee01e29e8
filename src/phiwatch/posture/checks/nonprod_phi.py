"""API9: non-production hosts (dev, test, staging, uat...) serving PHI."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture import vocab
from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "nonprod_phi",
    title="Non-production host serves PHI",
    severity="high",
    owasp="API9:2023",
    hipaa=("164.308(a)(1)(ii)(A)", "164.312(a)(1)"),
    remediation="Use synthetic or de-identified data outside production and restrict access to "
    "non-production hosts.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    for key, f in ctx.facts():
        if f.ok and vocab.is_nonprod_host(key.host) and (phi := ctx.phi(key)):
            yield Hit(key, {"phi": phi})
