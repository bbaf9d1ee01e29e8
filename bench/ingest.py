"""Ingest throughput: JSONL events through parse -> identity -> template -> inventory on one
core, printed beside plain `json.loads` per line over the same file in the same run.

    python bench/ingest.py                 # 1M events (aim: >= 150k events/s)
    python bench/ingest.py --events 10000000 --patients 1000000 --memory   # RSS bound (< 300 MB)

Both sides run ``--repeat`` times, alternately, and the best run of each counts. Rates are
per CPU second of this (single-threaded) process, so other load on a shared machine skews
them less than wall time would; the wall time of the best run is printed too.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import jwt

from phiwatch.discovery.inventory import Inventory
from phiwatch.identity import Fingerprinter, IdentityReader
from phiwatch.ingest import IngestOptions, IngestReport, read_events
from phiwatch.pipeline import Components, Pipeline, default_stages

RESOURCES = ("Patient", "Observation", "Encounter", "Condition", "MedicationRequest")


def write_events(path: Path, n: int, patients: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    tokens = [
        jwt.encode(
            {"sub": f"user{i}", "client_id": f"app{i % 7}", "scope": "user/*.read", "exp": 1_900_000_000},
            "k" * 32,
            algorithm="HS256",
        )
        for i in range(200)
    ]
    with path.open("w") as fh:
        ts = 1_767_225_600.0
        for i in range(n):
            ts += rng.random() * 0.01
            pid = rng.randrange(patients)
            kind = i % 4
            if kind == 0:
                url = f"https://fhir.example.org/r4/Patient/{pid}"
            elif kind == 1:
                url = f"https://fhir.example.org/r4/Observation?patient={pid}&_count=50"
            elif kind == 2:
                url = f"https://fhir.example.org/r4/Patient/{pid}/{RESOURCES[i % 5]}"
            else:
                url = f"https://billing.example.org/v2/invoices/{pid}"
            rec = {
                "ts": ts,
                "client_ip": f"10.0.{i % 250}.{i % 199}",
                "request": {
                    "method": "GET",
                    "url": url,
                    "headers": {"Authorization": "Bearer " + tokens[i % 200], "User-Agent": "bench/1.0"},
                },
                "response": {"status": 200, "headers": {"Content-Type": "application/fhir+json"}},
            }
            fh.write(json.dumps(rec, separators=(",", ":")))
            fh.write("\n")


def baseline(path: Path) -> tuple[int, float, float]:
    """(lines, CPU seconds, wall seconds) of json.loads on every line."""
    t0, c0 = time.perf_counter(), time.process_time()
    n = 0
    with path.open("rb") as fh:
        for line in fh:
            json.loads(line)
            n += 1
    return n, time.process_time() - c0, time.perf_counter() - t0


def ours(path: Path) -> tuple[int, float, float, Inventory]:
    """(events, CPU seconds, wall seconds, inventory) of the pipeline's first two stages."""
    inventory = Inventory()
    components = Components(identity=IdentityReader(Fingerprinter(b"b" * 32)), inventory=inventory)
    pipeline = Pipeline(default_stages(components))
    report = IngestReport()
    t0, c0 = time.perf_counter(), time.process_time()
    n = pipeline.run_all(read_events(path, report, IngestOptions(fmt="jsonl")))
    inventory.endpoints()
    return n, time.process_time() - c0, time.perf_counter() - t0, inventory


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--patients", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each side; the best counts")
    ap.add_argument("--memory", action="store_true", help="skip the baseline; one run; report peak RSS")
    args = ap.parse_args()
    repeat = 1 if args.memory else max(1, args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.jsonl"
        t0 = time.perf_counter()
        write_events(path, args.events, args.patients)
        size = path.stat().st_size
        print(f"wrote {args.events:,} events ({size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f}s")
        rss0 = rss_mb()
        runs, bases = [], []
        endpoints = 0
        for _ in range(repeat):
            n, cpu, wall, inventory = ours(path)
            runs.append((cpu, wall, n))
            endpoints = len(inventory.endpoints())
            del inventory
            if not args.memory:
                bases.append(baseline(path))
        cpu, wall, n = min(runs)
        rate = n / cpu
        print(
            f"phiwatch parse+identity+template+inventory: {n:,} events in {cpu:.2f} CPU s "
            f"({wall:.2f} s wall) = {rate:,.0f} events/s (best of {repeat})"
        )
        print(f"endpoints: {endpoints}, peak RSS {rss_mb():.0f} MB (before run {rss0:.0f} MB)")
        if bases:
            bn, bcpu, bwall = min(bases, key=lambda b: b[1])
            brate = bn / bcpu
            print(
                f"baseline json.loads per line: {bn:,} lines in {bcpu:.2f} CPU s ({bwall:.2f} s wall) "
                f"= {brate:,.0f} lines/s (best of {repeat})"
            )
            print(f"ratio phiwatch / json.loads: {rate / brate:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
