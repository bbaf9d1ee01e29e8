"""The detectors' two builds: compiled with mypyc (setup.py) and the plain-Python source.

Both must give the same alerts, byte for byte, on every attack and look-alike scenario; the
source must be reachable with PHIWATCH_PURE_PYTHON=1 and must win over a stale binary.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import phiwatch.detect as detect_pkg
from phiwatch.detect import build_info

ROOT = Path(__file__).resolve().parents[2]
DETECT_DIR = Path(detect_pkg.__file__).resolve().parent

# Runs every scenario (attacks and look-alikes) through all detectors and prints the build
# and the alerts as JSON. Hashes use a fixed key so both runs print the same evidence.
SCRIPT = """
import json, sys
import msgspec
import phiwatch.detect as d
from phiwatch.detect.base import DetectContext, all_alerts, build_detectors
from phiwatch.detect.options import DetectOptions
from phiwatch.discovery.inventory import Inventory
from phiwatch.identity import Fingerprinter, IdentityReader
from phiwatch.pipeline import Components, Pipeline, default_stages
from phiwatch.simulate import SimulationConfig
from phiwatch.simulate.scenarios import iter_with_scenarios, scenario_names, to_events

fp = Fingerprinter(b"test-build-equivalence-key-0001")
pipe = Pipeline(default_stages(Components(identity=IdentityReader(fp), inventory=Inventory())))
dets = build_detectors(DetectContext(DetectOptions(), fp))
records = iter_with_scenarios(SimulationConfig(seed=77, events=4000), scenario_names())
for ev in to_events(records):
    pipe.run(ev)
    for det in dets:
        det.process(ev)
alerts = [msgspec.to_builtins(a) for a in all_alerts(dets)]
stats = {det.name: det.stats() for det in dets}
print(json.dumps({"build": d.build_info(), "alerts": alerts, "stats": stats}, sort_keys=True))
"""


def _run(pure: bool) -> dict[str, object]:
    env = dict(os.environ)
    env.pop("PHIWATCH_PURE_PYTHON", None)
    if pure:
        env["PHIWATCH_PURE_PYTHON"] = "1"
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result: dict[str, object] = json.loads(out.stdout)
    return result


def _compiled_files() -> list[Path]:
    return [p for s in importlib.machinery.EXTENSION_SUFFIXES for p in DETECT_DIR.glob("*" + s)]


def test_build_info_matches_the_loaded_module() -> None:
    from phiwatch.detect import base

    info = build_info()
    loaded_so = (base.__file__ or "").endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
    assert info["compiled"] is loaded_so
    assert isinstance(info["reason"], str) and info["reason"]
    if not _compiled_files():
        assert info["compiled"] is False and "not compiled" in str(info["reason"])


def test_ci_runs_the_compiled_build() -> None:
    """CI installs with mypyc (setup.py): a silent fallback to plain Python there would
    measure and ship the slow build."""
    if os.environ.get("CI") != "true" and not _compiled_files():
        pytest.skip("not built with mypyc here (PHIWATCH_PURE_PYTHON install); CI requires it")
    assert _compiled_files(), "no compiled detector modules: the mypyc build did not run"
    assert build_info()["compiled"] is True, build_info()


def test_compiled_and_source_give_identical_alerts() -> None:
    pure = _run(pure=True)
    assert pure["build"] == {"compiled": False, "reason": pure["build"]["reason"]}  # type: ignore[index]
    alerts = pure["alerts"]
    assert isinstance(alerts, list) and len(alerts) >= 7  # every attack scenario alerts
    detectors = {a["detector"] for a in alerts}
    assert {"bola_smart", "bola_ownership", "scraping", "credential_stuffing", "flood", "bots"} <= detectors
    if not _compiled_files():
        return  # nothing to compare with: test_ci_runs_the_compiled_build guards CI
    compiled = _run(pure=False)
    assert compiled["build"]["compiled"] is True  # type: ignore[index]
    assert compiled["alerts"] == pure["alerts"]
    assert compiled["stats"] == pure["stats"]


def test_stale_means_edited_after_the_build_not_installed_just_after(tmp_path: Path) -> None:
    from phiwatch.detect import STALE_AFTER_S, _stale

    so = tmp_path / "flood.cpython-311-x86_64-linux-gnu.so"
    py = tmp_path / "flood.py"
    so.write_bytes(b"")
    py.write_text("")
    built = 1_800_000_000.0
    os.utime(so, (built, built))
    os.utime(py, (built + 0.001, built + 0.001))  # a wheel install writes the .py just after
    assert _stale({"flood": so}, tmp_path) == []
    os.utime(py, (built + STALE_AFTER_S + 60, built + STALE_AFTER_S + 60))  # edited later
    assert _stale({"flood": so}, tmp_path) == ["flood"]
