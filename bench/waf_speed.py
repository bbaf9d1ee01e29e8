"""WAF speed: p50/p99 latency and requests/s at PL1 for three request shapes, beside the same
requests through an empty rule set (the engine's fixed cost) in the same run; then the parallel
evaluator's speedup over one process on a mixed stream.

    python bench/waf_speed.py [--iterations 400] [--workers 2]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import orjson

from phiwatch.detect.waf import (
    WafConfig,
    WafEngine,
    empty_source,
    evaluate_parallel,
    load_engine,
    resolve_source,
)
from phiwatch.model import Event, Request

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
HEADERS = {"host": "fhir.example.org", "user-agent": "Mozilla/5.0 (X11; Linux x86_64)", "accept": "*/*"}


def requests() -> dict[str, Event]:
    form = "&".join(f"field{i}=value+{i}+ok" for i in range(10)).encode()
    patient = {
        "resourceType": "Patient",
        "id": "b1f8c1d2-0000-4000-8000-000000000001",
        "identifier": [{"system": "http://hospital.example.org/mrn", "value": "MRN-0012345"}],
        "name": [{"use": "official", "family": "Okafor", "given": ["Adaeze", "Grace"]}],
        "telecom": [{"system": "phone", "value": "555-010-2233", "use": "home"}],
        "gender": "female",
        "birthDate": "1984-03-12",
        "address": [
            {"line": ["12 Orchard Lane"], "city": "Springfield", "state": "MA", "postalCode": "01101"}
        ],
        "maritalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus",
                    "code": "M",
                    "display": "Married",
                }
            ]
        },
        "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "en-US"}]}}],
    }
    body = orjson.dumps(patient)
    body = (
        body[:-1]
        + b',"extension":[{"url":"http://example.org/note","valueString":"'
        + b"x" * max(0, 1024 - len(body) - 70)
        + b'"}]}'
    )
    return {
        "GET 3 args": Event(
            0.0,
            Request(
                "GET", "/Patient", query="family=Okafor&birthdate=1984-03-12&_count=20", headers=dict(HEADERS)
            ),
        ),
        "POST form 10 fields": Event(
            0.0,
            Request(
                "POST",
                "/submit",
                body=form,
                headers={**HEADERS, "content-type": "application/x-www-form-urlencoded"},
            ),
        ),
        f"POST FHIR JSON {len(body)} B": Event(
            0.0,
            Request(
                "POST", "/Patient", body=body, headers={**HEADERS, "content-type": "application/fhir+json"}
            ),
        ),
    }


def timings(engine: WafEngine, event: Event, n: int) -> list[float]:
    for _ in range(20):
        engine.evaluate(event)
    out = []
    for _ in range(n):
        t = time.perf_counter()
        engine.evaluate(event)
        out.append(time.perf_counter() - t)
    return out


def pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))] * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iterations", type=int, default=400)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--stream", type=int, default=3000, help="events in the parallel comparison")
    args = ap.parse_args()
    crs = load_engine(DATA / "crs", WafConfig(paranoia_level=1))
    empty = load_engine(config=WafConfig(), source=empty_source())
    print(f"rules: {crs.source.describe()}")
    head = f"{'request':<24}{'CRS PL1 p50/p99 ms':>20}{'req/s':>9}{'empty p50/p99 ms':>19}{'req/s':>9}"
    print(f"{head}{'ratio':>8}")
    for name, event in requests().items():
        full, base = timings(crs, event, args.iterations), timings(empty, event, args.iterations)
        fr, br = 1 / statistics.mean(full), 1 / statistics.mean(base)
        assert not crs.evaluate(event).blocked, name  # benign shapes must stay benign
        ratio = statistics.mean(full) / statistics.mean(base)
        print(
            f"{name:<24}{pct(full, 0.5):>9.2f} /{pct(full, 0.99):>7.2f}{fr:>9.0f}"
            f"{pct(base, 0.5):>10.3f} /{pct(base, 0.99):>6.3f}{br:>9.0f}{ratio:>7.1f}x"
        )
    stream = [e for _ in range(args.stream // 3 + 1) for e in requests().values()][: args.stream]
    t = time.perf_counter()
    for e in stream:
        crs.evaluate(e)
    seq = time.perf_counter() - t
    source, config = resolve_source(DATA / "crs"), WafConfig()
    t = time.perf_counter()
    n = sum(1 for _ in evaluate_parallel(stream, args.workers, source=source, config=config, batch=64))
    par = time.perf_counter() - t
    print(f"mixed stream of {n}: one process {n / seq:.0f} req/s; {args.workers} workers {n / par:.0f} req/s "
          f"(speedup {seq / par:.2f}x, incl. worker start-up)")  # fmt: skip


if __name__ == "__main__":
    main()
