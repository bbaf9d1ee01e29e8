"""API4: FHIR ``_include=*``, ``_revinclude`` or ``$everything`` answered in one unpaged bundle."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "unpaged_include",
    title="FHIR _include=*, _revinclude or $everything without paging",
    severity="medium",
    owasp="API4:2023",
    hipaa=("164.502(b)",),
    remediation="Page $everything and include searches (_count plus next links) and disallow _include=*.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    for key, f in ctx.facts():
        if f.unpaged:
            yield Hit(
                key, {"requests": dict(sorted(f.unpaged.items())), "max_entries": f.unpaged_max_entries}
            )
