"""API4: page sizes (``_count``, ``limit``...) honoured beyond any cap."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "unbounded_page_size",
    title="Page size honoured without a cap",
    severity="medium",
    owasp="API4:2023",
    hipaa=("164.502(b)",),
    remediation="Cap page sizes server-side (e.g. _count <= 100) and page the rest with next links.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    for key, f in ctx.facts():
        if f.page_unbounded:
            yield Hit(
                key,
                {"parameter": f.page_param, "max_items": f.page_max_items, "cap": ctx.options.page_size_cap},
            )
