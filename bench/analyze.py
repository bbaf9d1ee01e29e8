"""End-to-end ``phiwatch analyze`` speed: events/s and MB/s with every default stage on (WAF
with its built-in rules, and without the WAF), beside reading the same file alone (the
baseline: ``read_events``, and ``json.loads`` per line) measured in the same run.

Also prints where the time goes: a second run wraps each pipeline stage in a timing proxy
(bench only; the proxies add a little overhead, so the breakdown is its own run). The breakdown
is CPU time of this process (WAF workers not included).

Wall time is what counts for ``analyze`` (the WAF evaluates ahead in worker processes); CPU
time of this process is printed beside it, because the machine is shared. Best of ``--rounds``.
The CLI rows run ``phiwatch analyze`` once in a fresh process, as a user does (imports and
one-time setup count; their CPU column repeats the wall time).

    python bench/analyze.py [--events 20000] [--rounds 3] [--no-waf-only]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import phiwatch.analyze as analyze_mod
from phiwatch.analyze import AnalyzeOptions, analyze
from phiwatch.ingest import IngestReport, read_events
from phiwatch.model import Event
from phiwatch.pipeline import Pipeline, Stage
from phiwatch.simulate import SimulationConfig, simulate

SEED = 99


def best(fn: Callable[[], object], rounds: int) -> tuple[float, float]:
    """Best wall and best CPU seconds of ``rounds`` calls."""
    wall, cpu = float("inf"), float("inf")
    for _ in range(rounds):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - w)
        cpu = min(cpu, time.process_time() - c)
    return wall, cpu


def run_analyze(path: Path, tmp: Path, options: AnalyzeOptions) -> None:
    db = tempfile.mktemp(suffix=".db", dir=tmp)  # a fresh store: a seen source would be skipped
    analyze([path], db=db, options=options)
    Path(db).unlink(missing_ok=True)


def cli(path: Path, tmp: Path, waf: str) -> None:
    db = tempfile.mktemp(suffix=".db", dir=tmp)
    cmd = [
        sys.executable,
        "-m",
        "phiwatch",
        "analyze",
        str(path),
        "--db",
        db,
        waf,
        "-f",
        "json",
        "-o",
        os.devnull,
    ]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    Path(db).unlink(missing_ok=True)


def read_only(path: Path) -> None:
    for _ in read_events(path, IngestReport()):
        pass


def json_lines(path: Path) -> None:
    with path.open("rb") as fh:
        for line in fh:
            json.loads(line)


class _Timed:
    """A stage proxy that adds the CPU time of each ``process`` call to ``spent[name]`` (CPU, not
    wall: other work on a shared machine must not count against a stage)."""

    def __init__(self, stage: Stage, spent: dict[str, float]) -> None:
        self._stage = stage
        self.name = stage.name
        self._spent = spent

    def process(self, event: Event) -> None:
        t = time.process_time()
        try:
            self._stage.process(event)
        finally:
            self._spent[self.name] += time.process_time() - t

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._stage, attr)


def breakdown(path: Path, tmp: Path, options: AnalyzeOptions) -> tuple[dict[str, float], float]:
    spent: dict[str, float] = defaultdict(float)

    class TimedPipeline(Pipeline):
        def __init__(self, stages: Sequence[Stage], *, strict: bool = False) -> None:
            super().__init__([_Timed(s, spent) for s in stages], strict=strict)

    original = analyze_mod.Pipeline
    analyze_mod.Pipeline = TimedPipeline  # type: ignore[misc]
    try:
        t = time.process_time()
        run_analyze(path, tmp, options)
        total = time.process_time() - t
    finally:
        analyze_mod.Pipeline = original  # type: ignore[misc]
    return dict(spent), total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-waf-only", action="store_true", help="skip the runs with the WAF on")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        path = tmp / "traffic.jsonl"
        simulate(path, SimulationConfig(seed=SEED, events=args.events))
        mb = path.stat().st_size / 1e6
        n = args.events
        print(f"{n} simulated events (seed {SEED}), {mb:.1f} MB; best of {args.rounds}, wall (CPU) s")

        def row(label: str, wall: float, cpu: float, base: float) -> None:
            print(
                f"  {label:<28} {wall:7.2f} s ({cpu:6.2f})  {n / wall:8.0f} ev/s  {mb / wall:6.1f} MB/s"
                f"  ({n / cpu:6.0f} ev per CPU s)  x{wall / base:5.1f} of read_events"
            )

        json_w, json_c = best(lambda: json_lines(path), args.rounds)
        read_w, read_c = best(lambda: read_only(path), args.rounds)
        row("json.loads per line", json_w, json_c, read_w)
        row("read_events (baseline)", read_w, read_c, read_w)
        configs = [("analyze, no WAF", AnalyzeOptions(waf=False))]
        if not args.no_waf_only:
            configs.append(("analyze, all stages + WAF", AnalyzeOptions()))
        for label, options in configs:
            wall, cpu = best(lambda o=options: run_analyze(path, tmp, o), args.rounds)  # type: ignore[misc]
            row(label, wall, cpu, read_w)
        # The CLI in a fresh process, as a user runs it: imports and one-time setup count too.
        for label, flag in (("phiwatch analyze --no-waf", "--no-waf"), ("phiwatch analyze", "--waf")):
            if flag == "--waf" and args.no_waf_only:
                continue
            wall, _cpu = best(lambda f=flag: cli(path, tmp, f), 1)  # type: ignore[misc]
            row(label + " (CLI)", wall, wall, read_w)
        for label, options in configs:
            spent, total = breakdown(path, tmp, options)
            staged = sum(spent.values())
            print(f"per-stage CPU time, {label} (one timed run, {total:.2f} s CPU in this process):")
            rest = total - staged
            print(f"  {'ingest + store + checks':<22} {rest:6.2f} s  {100 * rest / total:5.1f} %")
            for name, s in sorted(spent.items(), key=lambda kv: -kv[1]):
                print(f"  {name:<22} {s:6.2f} s  {100 * s / total:5.1f} %  {1e6 * s / n:7.1f} us/event")


if __name__ == "__main__":
    main()
