"""WafStage: alerts from detector "waf", action from policy, no raw PHI, parallel = sequential."""

from __future__ import annotations

from pathlib import Path

import msgspec

from phiwatch.detect.waf import WafConfig, WafEngine, WafStage, evaluate_parallel, load_engine
from phiwatch.model import Identity
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
