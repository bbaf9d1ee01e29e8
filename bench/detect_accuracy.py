"""Detector accuracy against labelled scenarios: precision and recall per detector.

Base simulator traffic with every scenario (attacks and benign look-alikes) merged in, read
through the real JSONL reader, identity and discovery stages, then all detectors. Seeds here
are never used by tests. Aims (issue 6): SMART BOLA P, R >= 0.99; others P >= 0.95,
R >= 0.90; no high-severity alert on a benign look-alike. Precision is over actionable
(medium/high) alerts; low alerts are informational and listed apart.

    python bench/detect_accuracy.py                 # seeds 101 202 303, 20k base events each
    python bench/detect_accuracy.py --seeds 7 --events 40000
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from phiwatch.detect.base import DetectContext, all_alerts, build_detectors
from phiwatch.discovery.inventory import Inventory
from phiwatch.identity import Fingerprinter, IdentityReader
from phiwatch.model import Alert
from phiwatch.pipeline import Components, Pipeline, default_stages
from phiwatch.simulate import SimulationConfig
from phiwatch.simulate.scenarios import Score, iter_with_scenarios, scenario_names, score, to_events, truth_of

AIMS = {"bola_smart": (0.99, 0.99)}
DEFAULT_AIM = (0.95, 0.90)


def run_seed(seed: int, events: int, names: list[str]) -> tuple[list[Alert], dict[str, Score], int, float]:
    config = SimulationConfig(seed=seed, events=events)
    records = list(iter_with_scenarios(config, names))
    truths = truth_of(records)
    fp = Fingerprinter(b"bench-detect-accuracy-key")
    ctx = DetectContext(hasher=fp)
    detectors = build_detectors(ctx)
    stages = default_stages(Components(identity=IdentityReader(fp), inventory=Inventory()))
    stages.extend(detectors)
    pipeline = Pipeline(stages, strict=True)
    t0 = time.perf_counter()
    n = pipeline.run_all(to_events(records))
    elapsed = time.perf_counter() - t0
    alerts = all_alerts(detectors)
    return alerts, score(alerts, truths, [d.name for d in detectors], hasher=fp), n, elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[101, 202, 303])
    ap.add_argument("--events", type=int, default=20_000, help="base events per seed")
    ap.add_argument("--scenario", action="append", help="only these scenarios (default: all)")
    ap.add_argument("--show", action="store_true", help="print every actionable alert")
    args = ap.parse_args()
    names = args.scenario or scenario_names()
    total: dict[str, Score] = {}
    for seed in args.seeds:
        alerts, scores, n, elapsed = run_seed(seed, args.events, names)
        print(f"seed {seed}: {n} events in {elapsed:.1f} s, {len(alerts)} alerts")
        if args.show:
            for a in alerts:
                if a.severity != "low":
                    reason = a.evidence.get("reason", "")
                    print(f"  {a.detector:20} {a.severity:6} {a.actor[:60]:60} x{a.count} {reason}")
        for name, s in scores.items():
            t = total.setdefault(name, Score(name))
            for f in ("alerts", "true_alerts", "low_alerts", "actors", "found", "benign_high"):
                setattr(t, f, getattr(t, f) + getattr(s, f))
    print()
    head = f"{'detector':22}{'alerts':>7}{'true':>6}{'P':>7}{'actors':>8}{'found':>7}{'R':>7}"
    print(head + f"{'low':>6}{'benign_high':>13}  aim")
    ok = Counter[str]()
    for name in sorted(total):
        s = total[name]
        p_aim, r_aim = AIMS.get(name, DEFAULT_AIM)
        met = s.precision >= p_aim and s.recall >= r_aim and s.benign_high == 0
        ok[str(met)] += 1
        print(
            f"{name:22}{s.alerts:7}{s.true_alerts:6}{s.precision:7.3f}{s.actors:8}{s.found:7}{s.recall:7.3f}"
            f"{s.low_alerts:6}{s.benign_high:13}  P>={p_aim} R>={r_aim} {'met' if met else 'MISSED'}"
        )
    print(f"\naims met: {ok['True']}/{ok['True'] + ok['False']}")


if __name__ == "__main__":
    main()
