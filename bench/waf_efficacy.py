"""WAF efficacy: true- and false-positive rates per paranoia level.

Labelled values from shared/data/http-params (benign "norm" vs attacks), each sent twice: as a
query parameter of a GET and as a string field of a FHIR JSON POST. Also the mgm payload lists
in shared/data/corpora/waf (per-category true-positive / false-positive files), as query values.
"Detected" means the anomaly decision says block (score >= 5), i.e. what blocking mode would deny.

    python bench/waf_efficacy.py [--sample N] [--levels 1,2,3,4] [--workers 2]
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import tarfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import orjson

from phiwatch.detect.waf import WafConfig, evaluate_parallel, resolve_source
from phiwatch.model import Event, Request

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
HEADERS = {"host": "fhir.example.org", "user-agent": "Mozilla/5.0 (X11; Linux x86_64)", "accept": "*/*"}


def as_query(value: str, i: int) -> Event:
    return Event(ts=0.0, request=Request("GET", "/Patient", query=f"name={quote(value, safe='')}",
                 headers=dict(HEADERS)), line=i)  # fmt: skip


def as_json(value: str, i: int) -> Event:
    body = orjson.dumps({"resourceType": "Patient", "name": [{"family": value}]})
    headers = {**HEADERS, "content-type": "application/fhir+json"}
    return Event(ts=0.0, request=Request("POST", "/Patient", headers=headers, body=body), line=i)


def http_params(sample: int, seed: int) -> list[tuple[str, str]]:
    with (DATA / "http-params" / "payload_full.csv").open(newline="", encoding="utf-8") as fh:
        rows = [(r["payload"], r["attack_type"]) for r in csv.DictReader(fh)]
    random.Random(seed).shuffle(rows)
    return rows[:sample] if sample else rows


def mgm_payloads(limit_per_file: int) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    with tarfile.open(DATA / "corpora" / "waf" / "mgm" / "payloads.tar.xz") as tar:
        for member in tar.getmembers():
            fh = tar.extractfile(member) if member.isfile() else None
            if fh is None:
                continue
            category = member.name.split("/")[-2]
            label = category if "true-positives" in member.name else "norm"
            lines = [ln for ln in io.TextIOWrapper(fh, "utf-8", "replace").read().splitlines() if ln.strip()]
            out.extend((ln, label) for ln in lines[:limit_per_file])
    return out


def rates(
    rows: list[tuple[str, str]], make: object, level: int, workers: int
) -> tuple[Counter[str], Counter[str]]:
    source = resolve_source(DATA / "crs")
    config = WafConfig(paranoia_level=level)
    events = [make(v, i) for i, (v, _) in enumerate(rows)]  # type: ignore[operator]
    hit: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for (_ev, res), (_, label) in zip(
        evaluate_parallel(events, workers, source=source, config=config, batch=128), rows, strict=True
    ):
        total[label] += 1
        hit[label] += res.blocked
    return hit, total


def report(name: str, rows: list[tuple[str, str]], make: object, levels: list[int], workers: int) -> None:
    for level in levels:
        t = time.perf_counter()
        hit, total = rates(rows, make, level, workers)
        attacks = sum(v for k, v in total.items() if k != "norm")
        tp = sum(v for k, v in hit.items() if k != "norm")
        per_type = ", ".join(f"{k} {hit[k] / total[k]:.1%}" for k in sorted(total) if k != "norm")
        print(
            f"{name:<22} PL{level}: TPR {tp / max(attacks, 1):6.2%} ({tp}/{attacks})  "
            f"FPR {hit['norm'] / max(total['norm'], 1):6.2%} ({hit['norm']}/{total['norm']})  "
            f"[{per_type}]  {time.perf_counter() - t:.1f}s"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sample", type=int, default=3000, help="http-params rows (0: all 31,067)")
    ap.add_argument("--levels", default="1,2,3,4")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--mgm-per-file", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    rows = http_params(args.sample, args.seed)
    print(f"http-params: {len(rows)} values ({Counter(t for _, t in rows)})")
    report("http-params query", rows, as_query, levels, args.workers)
    report("http-params FHIR JSON", rows, as_json, levels, args.workers)
    mgm = mgm_payloads(args.mgm_per_file)
    print(f"corpora/waf mgm: {len(mgm)} values ({Counter(t for _, t in mgm)})")
    report("mgm query", mgm, as_query, levels, args.workers)


if __name__ == "__main__":
    main()
