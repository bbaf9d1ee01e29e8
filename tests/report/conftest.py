"""A vulnerable-lab report (findings, inventory, flows) shared by the report tests."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from phiwatch.discovery.spec import load_spec
from phiwatch.report import Report
from phiwatch.simulate import SimulationConfig, SimulationResult, simulate
from tests.posture.harness import Run


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> tuple[SimulationResult, Report, Run]:
    out = tmp_path_factory.mktemp("lab") / "traffic.jsonl"
    res = simulate(out, SimulationConfig(seed=5, events=1_000, variant="vulnerable"))
    specs = [load_spec(p) for p in res.specs]
    run = Run().feed_file(res.traffic)
    checked = run.check(specs)
    flows = [msgspec.to_builtins(f) for f in run.phi.flows()]
    summary: dict[str, object] = {"events": res.events, "endpoints": len(run.inventory)}
    return res, Report(summary, run.endpoints(specs), checked.findings, [], flows), run


def lab_path(lab: tuple[SimulationResult, Report, Run]) -> Path:
    return lab[0].traffic
