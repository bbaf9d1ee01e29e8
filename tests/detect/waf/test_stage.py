"""WafStage: alerts from detector "waf", action from policy, no raw PHI, parallel = sequential."""

from __future__ import annotations

from pathlib import Path

import msgspec

from phiwatch.detect.waf import (
    WafConfig,
    WafEngine,
    WafResult,
    WafStage,
    WireRequest,
    evaluate_parallel,
    load_engine,
)
from phiwatch.model import Event, Identity
from phiwatch.pipeline import Pipeline
from tests.detect.waf.conftest import BROWSER
from tests.factories import tevent

SSN = "123-45-6789"
ATTACK = f"ssn={SSN}%27%20UNION%20SELECT%20name%20FROM%20patients--"


def test_detect_mode_alerts(crs_engine: WafEngine) -> None:
    ev = tevent(path="/Patient", query=ATTACK, req_headers=BROWSER)
    ev.identity = Identity(kind="jwt", client_id="app-7")
    Pipeline([WafStage(crs_engine)], strict=True).run(ev)
    (alert,) = ev.alerts
    assert alert.detector == "waf" and alert.action == "alert"
    assert alert.actor == "client:app-7"
    assert alert.severity in ("high", "critical")
    assert "sqli" in alert.evidence["categories"]  # type: ignore[operator]
    match = alert.evidence["matches"][0]  # type: ignore[index]
    assert match["location"].startswith("ARGS:") and match["excerpt"]


def test_block_mode_denies_over_threshold_only(crs_dir: Path) -> None:
    stage = WafStage(load_engine(crs_dir, WafConfig(mode="block")))
    attack = tevent(path="/Patient", query=ATTACK, req_headers=BROWSER)
    clean = tevent(path="/Patient", query="family=Smith&_count=10", req_headers=BROWSER)
    stage.process(attack)
    stage.process(clean)
    assert attack.alerts[0].action == "deny"
    assert clean.alerts == []
    assert stage.counts["deny"] == 1 and stage.counts["evaluated"] == 2


def test_no_raw_phi_in_alerts(crs_engine: WafEngine) -> None:
    ev = tevent(path="/Patient", query=ATTACK, req_headers=BROWSER)
    WafStage(crs_engine).process(ev)
    blob = msgspec.json.encode(ev.alerts).decode()
    assert SSN not in blob and "6789" not in blob and "patients" not in blob


def test_parallel_matches_sequential(crs_dir: Path, crs_engine: WafEngine) -> None:
    events = [
        tevent(path="/Patient", query=q, req_headers=BROWSER, line=i)
        for i, q in enumerate(["a=1", ATTACK, "x=<script>alert(1)</script>", "", "f=../../etc/passwd"] * 8)
    ]
    expected = [crs_engine.evaluate(e) for e in events]
    got = list(evaluate_parallel(events, 2, source=crs_engine.source, config=crs_engine.config, batch=7))
    assert [e for e, _ in got] == events  # same objects, same order
    assert [r.rule_ids for _, r in got] == [r.rule_ids for r in expected]


def test_annotate_attaches_once(crs_dir: Path, crs_engine: WafEngine) -> None:
    stage = WafStage(crs_engine, workers=2)
    events = [tevent(path="/Patient", query=ATTACK, req_headers=BROWSER) for _ in range(5)]
    pipeline = Pipeline([stage], strict=True)
    for ev in stage.annotate(events):
        pipeline.run(ev)  # process() sees the event was done in a worker
    assert all(len(e.alerts) == 1 for e in events)


class _Counting:
    """The real engine, counting evaluations."""

    def __init__(self, engine: WafEngine) -> None:
        self.inner, self.calls = engine, 0
        self.name, self.source, self.config = engine.name, engine.source, engine.config

    def evaluate(self, event: Event) -> WafResult:
        self.calls += 1
        return self.inner.evaluate(event)

    def evaluate_wire(self, request: WireRequest, endpoint: str = "") -> WafResult:
        return self.inner.evaluate_wire(request, endpoint)


def test_process_reuses_result_of_exact_repeat_only(crs_engine: WafEngine) -> None:
    counting = _Counting(crs_engine)
    stage = WafStage(counting)
    same = [tevent(path="/Patient", query=ATTACK, req_headers=BROWSER, ts=float(i), line=i) for i in range(3)]
    near = tevent(path="/Patient", query=ATTACK + "1", req_headers=BROWSER)  # one byte more: evaluated
    static = tevent(path="/static/app.css")  # out of scope: not even evaluated once
    for ev in [*same, near, static]:
        stage.process(ev)
    assert counting.calls == 2
    assert [len(e.alerts) for e in same] == [1, 1, 1] and len(near.alerts) == 1
    assert same[2].alerts[0].evidence == same[0].alerts[0].evidence
    assert same[2].alerts[0].first_seen == 2.0  # the alert is the event's own, only the result is shared
    assert static.alerts == [] and stage.counts["skipped"] == 1 and stage.counts["evaluated"] == 4
