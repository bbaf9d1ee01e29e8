"""On simulator output, the inventory equals the simulator's ground truth exactly:
every template and every status, for seeds not used while building the simulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from phiwatch.analyze import analyze
from phiwatch.simulate import SimulationConfig, simulate


@pytest.mark.parametrize(("seed", "fmt"), [(4242, "jsonl"), (90210, "har"), (31337, "jsonl")])
def test_inventory_equals_ground_truth(tmp_path: Path, seed: int, fmt: str) -> None:
    result = simulate(tmp_path / f"traffic.{fmt}", SimulationConfig(seed=seed, events=4000, fmt=fmt))
    report = analyze([result.traffic], specs=result.specs, db=str(tmp_path / "p.db"))
    truth = json.loads(result.truth.read_text())
    expected = {(e["method"], e["host"], e["path"], e["status"]) for e in truth["endpoints"]}
    got = {(e.method, e.host, e.path, e.status) for e in report.endpoints}
    missing, extra = sorted(expected - got), sorted(got - expected)
    assert not missing and not extra, f"missing={missing[:20]} extra={extra[:20]}"
    counts = {(e["method"], e["host"], e["path"]): e.get("requests") for e in truth["endpoints"]}
    for ep in report.endpoints:
        want = counts.get((ep.method, ep.host, ep.path))
        if want is not None:
            assert ep.requests == want, (ep.method, ep.host, ep.path)
    assert report.summary["rejected"] == 0
