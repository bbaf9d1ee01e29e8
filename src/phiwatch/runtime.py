"""Process settings for the streaming part of a run.

CPython's cyclic garbage collector runs a young-generation pass every 700 container
allocations and, every hundred of those, may walk every live object: with the detectors'
bounded tables (up to ``max_keys`` entries each), the inventory and the loaded rules alive,
those walks cost a fifth of the per-event time (measured with callgrind and perf over
bench/detect_speed.py) while finding almost nothing: the pipeline's per-event objects are
freed by reference counting, not by the collector.

``throughput_gc`` freezes what exists when streaming starts (rules, specs, hyperscan
databases: long-lived by construction) so no collection walks it again, and lets the young
generation grow to ``young`` allocations between passes. The collector stays on, so a
reference cycle is still reclaimed; the old settings come back when the block ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG = 50_000  # allocations between young-generation passes (CPython's default: 700)


@contextmanager
def throughput_gc(young: int = YOUNG) -> Iterator[None]:
    """Collector settings for streaming many events; restored on exit."""
    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(young, old[1], old[2])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()
