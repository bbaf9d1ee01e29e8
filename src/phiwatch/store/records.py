"""Plain records the store hands back that are not part of ``phiwatch.model``."""

from __future__ import annotations

import msgspec


class SourceRecord(msgspec.Struct, frozen=True):
    """One input already analyzed, keyed by its content fingerprint (see ``fingerprint``)."""

    fingerprint: str
    path: str  # the name it had when first analyzed; a copy under another name is the same source
    format: str
    events: int
    rejected: int
    analyzed_at: float
    size: int | None = None


SEVERITIES = ("critical", "high", "medium", "low", "info")  # load order for findings and alerts
