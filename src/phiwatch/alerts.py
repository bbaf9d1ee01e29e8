"""The run's alerts: one per actor, detector, endpoint and window.

Runtime detectors keep their own aggregated alerts (``detect.base.AlertBook``) and hang a
reference on each event that tripped them; per-request detectors (the WAF) attach a fresh
alert per event. This stage folds the per-event ones into the same shape, merged per
(detector, actor, endpoint, category, window); the shared ones are collected from their
detectors at the end of the run (``detect.base.all_alerts``)."""

from __future__ import annotations

from collections import Counter

from phiwatch.model import Alert, Event

SEVERITY_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
PER_EVENT = frozenset({"waf"})  # detectors that attach one fresh alert per event
_MAX_RULES = 25


class AlertCollector:
    name = "alerts"

    def __init__(self, *, window_s: float = 3600.0, max_alerts: int = 50_000) -> None:
        self.window_s = window_s
        self.max_alerts = max_alerts
        self._merged: dict[tuple[str, str, object, str, int], Alert] = {}
        self.dropped = 0

    def process(self, event: Event) -> None:
        for alert in event.alerts:
            if alert.detector in PER_EVENT:
                if alert.endpoint is None or alert.endpoint != event.endpoint:
                    alert.endpoint = event.endpoint or alert.endpoint
                self._fold(alert)

    def _fold(self, alert: Alert) -> None:
        cats = alert.evidence.get("categories")
        category = ",".join(sorted(str(c) for c in cats)) if isinstance(cats, list) else ""
        key = (alert.detector, alert.actor, alert.endpoint, category, int(alert.first_seen // self.window_s))
        into = self._merged.get(key)
        if into is None:
            if len(self._merged) >= self.max_alerts:
                self.dropped += 1
                return
            self._merged[key] = Alert(
                detector=alert.detector,
                severity=alert.severity,
                actor=alert.actor,
                endpoint=alert.endpoint,
                first_seen=alert.first_seen,
                last_seen=alert.last_seen,
                count=alert.count,
                action=alert.action,
                evidence=dict(alert.evidence),
            )
            return
        into.count += alert.count
        into.first_seen = min(into.first_seen, alert.first_seen)
        into.last_seen = max(into.last_seen, alert.last_seen)
        if SEVERITY_RANK.get(alert.severity, 0) > SEVERITY_RANK.get(into.severity, 0):
            into.severity = alert.severity
        if alert.action == "deny":
            into.action = "deny"
        old, new = into.evidence.get("rule_ids"), alert.evidence.get("rule_ids")
        if isinstance(old, list) and isinstance(new, list):
            merged = sorted({*old, *new}, key=str)[:_MAX_RULES]
            into.evidence["rule_ids"] = merged

    def alerts(self, others: list[Alert] | None = None) -> list[Alert]:
        """The merged per-event alerts plus ``others`` (the detectors' own), most severe first."""
        out = list(self._merged.values()) + list(others or [])
        out.sort(key=lambda a: (-SEVERITY_RANK.get(a.severity, 0), a.detector, a.first_seen, a.actor))
        return out


def by_detector(alerts: list[Alert]) -> dict[str, int]:
    return dict(sorted(Counter(a.detector for a in alerts).items()))
