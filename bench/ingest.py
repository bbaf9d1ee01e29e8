"""Ingest throughput: JSONL events through parse -> identity -> template -> inventory on one
core, printed beside plain `json.loads` per line over the same file in the same run.

    python bench/ingest.py                 # 1M events (aim: >= 150k events/s)
    python bench/ingest.py --events 10000000 --patients 1000000 --memory   # RSS bound (< 300 MB)
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


def baseline(path: Path) -> tuple[int, float]:
    t0 = time.perf_counter()
    n = 0
    with path.open("rb") as fh:
        for line in fh:
            json.loads(line)
            n += 1
    return n, time.perf_counter() - t0


def ours(path: Path) -> tuple[int, float, Inventory]:
    inventory = Inventory()
    components = Components(identity=IdentityReader(Fingerprinter(b"b" * 32)), inventory=inventory)
    pipeline = Pipeline(default_stages(components))
    report = IngestReport()
    t0 = time.perf_counter()
    n = pipeline.run_all(read_events(path, report, IngestOptions(fmt="jsonl")))
    inventory.endpoints()
    return n, time.perf_counter() - t0, inventory


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--patients", type=int, default=100_000)
    ap.add_argument("--memory", action="store_true", help="skip the baseline; report peak RSS")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.jsonl"
        t0 = time.perf_counter()
        write_events(path, args.events, args.patients)
        size = path.stat().st_size
        print(f"wrote {args.events:,} events ({size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f}s")
        rss0 = rss_mb()
        n, secs, inventory = ours(path)
        rate = n / secs
        print(
            f"phiwatch parse+identity+template+inventory: {n:,} events in {secs:.2f}s = {rate:,.0f} events/s"
        )
        print(
            f"endpoints: {len(inventory.endpoints())}, peak RSS {rss_mb():.0f} MB (before run {rss0:.0f} MB)"
        )
        if not args.memory:
            bn, bsecs = baseline(path)
            brate = bn / bsecs
            print(f"baseline json.loads per line: {bn:,} lines in {bsecs:.2f}s = {brate:,.0f} lines/s")
            print(f"ratio phiwatch / json.loads: {rate / brate:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
