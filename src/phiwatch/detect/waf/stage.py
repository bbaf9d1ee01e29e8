"""The offline pipeline stage: WAF matches become ``Alert(detector="waf")`` on the event."""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator

from phiwatch.detect.waf.config import MODE_BLOCK
from phiwatch.detect.waf.engine import WafEngine
from phiwatch.detect.waf.parallel import evaluate_parallel, job_bytes, remember
from phiwatch.detect.waf.result import NOT_EVALUATED, WafResult
from phiwatch.detect.waf.scope import in_scope
from phiwatch.model import Alert, EndpointKey, Event

DETECTOR = "waf"
_SEVERITY_RANK = {"critical": 4, "error": 3, "warning": 2, "notice": 1}


def result_to_alert(event: Event, result: WafResult, mode: str) -> Alert | None:
    """One alert per event that matched: rule ids, categories, where and a masked excerpt.
    ``action`` is ``deny`` only in blocking mode once the anomaly decision says block."""
    if not result.matches:
        return None
    # critical/high: the anomaly decision says block; medium/low: matches below the threshold.
    if result.blocked:
        severity = "critical" if result.inbound_score >= 2 * result.threshold else "high"
    else:
        top = max(_SEVERITY_RANK.get(m.severity, 0) for m in result.matches)
        severity = "medium" if top >= 3 else "low"
    identity = event.identity
    actor = identity.actor if identity is not None and identity.actor else f"ip:{event.client_ip}"
    req = event.request
    endpoint = event.endpoint or EndpointKey(req.method.upper(), req.host, req.path)
    evidence: dict[str, object] = {
        "rule_ids": list(result.rule_ids),
        "categories": list(result.categories),
        "anomaly_score": result.inbound_score,
        "threshold": result.threshold,
        "matches": [
            {
                "rule_id": m.rule_id,
                "category": m.category,
                "location": m.location,
                "excerpt": m.excerpt,
                "message": m.message,
                "paranoia_level": m.paranoia_level,
            }
            for m in result.matches[:10]
        ],
    }
    if result.protocol_violation:
        evidence["protocol_violation"] = True
    if result.notes:
        evidence["notes"] = list(result.notes)
    if result.excluded:
        evidence["excluded_rule_ids"] = list(result.excluded)
    return Alert(
        detector=DETECTOR,
        severity=severity,
        actor=actor,
        endpoint=endpoint,
        first_seen=event.ts,
        last_seen=event.ts,
        action="deny" if mode == MODE_BLOCK and result.blocked else "alert",
        evidence=evidence,
    )


class WafStage:
    """detect: evaluates each event's request with the engine and attaches an alert.

    ``process`` evaluates one event in this process. To keep the WAF off the critical path, wrap
    the event stream with ``annotate(events)`` first: it evaluates in worker processes (each with
    its own engine), attaches alerts in order, and ``process`` then skips those events. Either
    way an exact repeat of a recent request reuses its result (see ``parallel``)."""

    name = DETECTOR

    def __init__(self, engine: WafEngine, *, mode: str | None = None, workers: int = 1) -> None:
        self.engine = engine
        self.mode = mode or engine.config.mode
        self.workers = workers
        self.counts: Counter[str] = Counter()
        self._done: set[int] = set()
        self._repeats: OrderedDict[bytes, WafResult] = OrderedDict()

    def process(self, event: Event) -> None:
        key = id(event)
        if key in self._done:
            self._done.discard(key)
            return
        config = self.engine.config
        if not in_scope(event, config.scope):
            self.attach(event, NOT_EVALUATED)
            return
        blob = job_bytes(event, config)
        result = self._repeats.get(blob)
        if result is None:
            result = self.engine.evaluate(event)
            remember(self._repeats, blob, result)
        self.attach(event, result)

    def attach(self, event: Event, result: WafResult) -> None:
        self.counts["evaluated" if result.evaluated else "skipped"] += 1
        if result.protocol_violation:
            self.counts["protocol_violation"] += 1
        alert = result_to_alert(event, result, self.mode)
        if alert is not None:
            self.counts[alert.action] += 1
            event.alerts.append(alert)

    def annotate(self, events: Iterable[Event], batch: int = 64) -> Iterator[Event]:
        """Yield the same events, in order, with WAF alerts already attached (parallel when
        ``workers`` > 1). The pipeline's later ``process`` call on each is then a no-op."""
        if self.workers <= 1:
            yield from events
            return
        engine = self.engine
        for event, result in evaluate_parallel(
            events,
            self.workers,
            source=engine.source,
            config=engine.config,
            batch=batch,
        ):
            self.attach(event, result)
            self._done.add(id(event))
            yield event
