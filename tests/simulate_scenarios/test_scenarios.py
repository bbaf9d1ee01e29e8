"""simulate.scenarios: registry, labels, determinism, merge, ground truth, and detection."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from phiwatch.detect.base import DetectContext, actor_of, all_alerts, build_detectors
from phiwatch.detect.options import DetectOptions
from phiwatch.discovery.inventory import Inventory
from phiwatch.errors import ConfigError
from phiwatch.identity import Fingerprinter, IdentityReader
from phiwatch.pipeline import Components, Pipeline, default_stages
from phiwatch.simulate import SimulationConfig, simulate
from phiwatch.simulate.scenarios import (
    add_scenarios,
    get,
    iter_scenario,
    iter_with_scenarios,
    keyed_actor,
    merge,
    scenario_names,
    score,
    to_events,
    truth_of,
)

SEED = 3  # the accuracy bench uses other seeds
CONFIG = SimulationConfig(seed=SEED, events=3000)
ATTACKS = {
    "ai_crawler",
    "credential_stuffing",
    "enumeration_bola",
    "l7_flood",
    "partner_overreach",
    "slow_scraping",
    "smart_bola",
}
BENIGN = {"clinician_shift", "directory_flash_crowd", "patient_app_polling", "payer_bulk_export"}


def test_registry() -> None:
    assert set(scenario_names()) == ATTACKS | BENIGN
    for name in scenario_names():
        sc = get(name)
        assert sc.name == name and sc.attack == (name in ATTACKS) and bool(sc.detectors) == sc.attack
        assert 0.0 <= sc.at < 1.0
    with pytest.raises(ConfigError):
        get("nope")


@pytest.mark.parametrize("name", sorted(ATTACKS | BENIGN))
def test_labelled_ordered_deterministic(name: str) -> None:
    a = list(iter_scenario(name, CONFIG))
    assert a == list(iter_scenario(name, CONFIG))  # same seed, same records
    assert a and [r["ts"] for r in a] == sorted(str(r["ts"]) for r in a)
    for rec in a:
        lab = rec["label"]
        assert isinstance(lab, dict) and lab["scenario"] == name and lab["attack"] == (name in ATTACKS)
        assert set(rec) == {"ts", "client_ip", "request", "response", "label"}
    assert list(iter_scenario(name, SimulationConfig(seed=SEED + 1, events=3000))) != a


def test_label_actor_is_what_phiwatch_names() -> None:
    fp = Fingerprinter(b"k" * 16)
    reader = IdentityReader(fp)
    records = [
        r
        for n in ("smart_bola", "slow_scraping", "partner_overreach", "ai_crawler")
        for r in iter_scenario(n, CONFIG)
    ]
    for rec, ev in zip(records, to_events(records), strict=True):
        lab = rec["label"]
        assert isinstance(lab, dict)
        assert actor_of(reader.read(ev), ev.client_ip) == keyed_actor(str(lab["actor"]), fp)


def test_merge_interleaves_by_time() -> None:
    merged = list(iter_with_scenarios(CONFIG, ["smart_bola", "ai_crawler"]))
    stamps = [str(r["ts"]) for r in merged]
    assert stamps == sorted(stamps)
    assert sum(1 for r in merged if "label" not in r) == 3000
    assert list(merge([{"ts": "b"}], [{"ts": "a"}, {"ts": "c"}])) == [{"ts": "a"}, {"ts": "b"}, {"ts": "c"}]
    with pytest.raises(ConfigError):
        iter_with_scenarios(CONFIG, ["nope"])


def test_add_scenarios_writes_traffic_and_truth(tmp_path: Path) -> None:
    out = tmp_path / "traffic.jsonl"
    simulate(out, CONFIG)
    truth_path = add_scenarios(out, CONFIG, ["smart_bola", "clinician_shift"])
    lines = out.read_bytes().splitlines()
    expected = sum(1 for n in ("smart_bola", "clinician_shift") for _ in iter_scenario(n, CONFIG))
    assert len(lines) == 3000 + expected
    recs = [orjson.loads(x) for x in lines]
    assert all("label" not in r for r in recs) and [r["ts"] for r in recs] == sorted(r["ts"] for r in recs)
    truth = orjson.loads(truth_path.read_bytes())
    by_name = {t["scenario"]: t for t in truth["scenarios"]}
    assert by_name["smart_bola"]["attack"] is True and len(by_name["smart_bola"]["actors"]) == 3
    assert by_name["clinician_shift"]["attack"] is False
    with pytest.raises(ConfigError):
        add_scenarios(out, SimulationConfig(seed=SEED, events=10, fmt="har"), ["smart_bola"])


def test_detectors_find_attacks_and_spare_look_alikes() -> None:
    """End to end on a test-only seed: every attack found by its primary detector, every
    actionable alert on an attacker, no high-severity alert on a benign look-alike."""
    records = list(iter_with_scenarios(CONFIG, scenario_names()))
    fp = Fingerprinter(b"test-scenarios-key")
    # 3000 base events hold ~150 of the payer's: learn its profile from 100 (default 300).
    options = DetectOptions(settings={"partner_misuse": {"learn_events": 100, "learn_s": 600}})
    detectors = build_detectors(DetectContext(options, hasher=fp))
    stages = default_stages(Components(identity=IdentityReader(fp), inventory=Inventory()))
    stages.extend(detectors)
    Pipeline(stages, strict=True).run_all(to_events(records))
    scores = score(all_alerts(detectors), truth_of(records), [d.name for d in detectors], hasher=fp)
    for name, s in scores.items():
        assert s.benign_high == 0, name
        assert s.found == s.actors, (name, s)
        assert s.true_alerts == s.alerts, (name, s)
