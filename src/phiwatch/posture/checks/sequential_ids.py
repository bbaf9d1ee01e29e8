"""API1: PHI endpoints addressed by sequential numeric ids, so one valid id reveals the rest."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture import vocab
from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "sequential_ids",
    title="PHI records addressed by sequential, guessable numeric ids",
    severity="medium",
    owasp="API1:2023",
    hipaa=("164.312(a)(1)",),
    remediation="Use random, non-enumerable identifiers (UUIDs) for records and enforce object-level "
    "authorization on every read.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    opts = ctx.options
    for key, f in ctx.facts():
        distinct = len(f.id_hashes)
        if distinct < opts.sequential_min_ids or f.other_ids > f.numeric_ids:
            continue
        mean_gap = (f.id_max - f.id_min + 1) / distinct
        if mean_gap > opts.sequential_max_gap or vocab.is_directory(key.path):  # directory data is public
            continue
        if phi := ctx.phi(key):
            yield Hit(key, {"distinct_ids": distinct, "mean_gap": round(mean_gap, 1), "phi": phi})
