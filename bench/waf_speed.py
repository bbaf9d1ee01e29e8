"""WAF speed, in three parts, all measured in the same run:

1. p50/p99 latency and requests/s at PL1 for three request shapes, beside the same requests
   through an empty rule set (the engine's fixed cost).
2. The parallel evaluator over a realistic mixed stream from the simulator: requests/s for 1, 2
   and os.cpu_count() workers against one in-process engine, worker start-up (spawn, import,
   CRS load) apart from steady state, CPU seconds of the main process and of the workers, and
   what the main process spends per event on serialisation (whole events vs the jobs shipped).
3. End to end: ``phiwatch.analyze.analyze`` over the same simulated traffic with the WAF off,
   with the built-in rules, with full CRS, and with full CRS scoped to requests carrying input;
   events/s and wall and CPU ratios against WAF off. Then WAF off vs full CRS over a real Apache
   access log (static assets and exact repeats never reach the engine there).

    python bench/waf_speed.py [--iterations 400] [--stream 5000] [--repeat 1] [--skip-shapes]

The box is shared: CPU seconds (main + workers) are the steadier figure; wall ratios move with load.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import msgspec
import orjson

from phiwatch.analyze import AnalyzeOptions
from phiwatch.detect.waf import (
    WafConfig,
    WafEngine,
    empty_source,
    evaluate_parallel,
    load_engine,
)
from phiwatch.detect.waf.config import Scope
from phiwatch.detect.waf.parallel import job_for
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


def children_cpu() -> float:
    """CPU seconds of reaped child processes (the pool joins its workers on exit)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def simulated(n: int) -> list[Event]:
    from phiwatch.simulate import SimulationConfig, iter_exchanges
    from phiwatch.simulate.scenarios import to_events

    return list(to_events(iter_exchanges(SimulationConfig(seed=7, events=n))))


def shapes(args: argparse.Namespace, crs: WafEngine) -> None:
    empty = load_engine(config=WafConfig(), source=empty_source())
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


def per_event_us(fn: Callable[[], object], n: int, repeat: int = 3) -> float:
    best = min(timed(fn) for _ in range(repeat))
    return best / n * 1e6


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def parallel(args: argparse.Namespace, crs: WafEngine, stream: list[Event]) -> None:
    n = len(stream)
    whole = per_event_us(lambda: msgspec.msgpack.encode(stream), n)
    jobs = per_event_us(lambda: msgspec.msgpack.encode([job_for(e, False) for e in stream]), n)
    print(f"\nmain-process serialisation: whole events {whole:.1f} us/event "
          f"({len(msgspec.msgpack.encode(stream)) // n} B), jobs {jobs:.1f} us/event "
          f"({len(msgspec.msgpack.encode([job_for(e, False) for e in stream])) // n} B)")  # fmt: skip
    cpu = time.process_time()
    seq = timed(lambda: [crs.evaluate(e) for e in stream])
    cpu = time.process_time() - cpu
    print(f"mixed stream of {n}: one process {n / seq:.0f} req/s ({cpu / n * 1000:.2f} ms CPU a request)")
    source, config = crs.source, crs.config
    for workers in sorted({1, 2, os.cpu_count() or 1}):
        best: tuple[float, float, float, float] | None = None
        for _ in range(args.repeat):
            start = timed(
                lambda w=workers: list(evaluate_parallel(stream[:1], w, source=source, config=config))
            )
            c0, m0 = children_cpu(), time.process_time()
            wall = timed(
                lambda w=workers: sum(1 for _ in evaluate_parallel(stream, w, source=source, config=config))
            )
            run = (wall, start, time.process_time() - m0, children_cpu() - c0)
            best = run if best is None or run[0] < best[0] else best
        assert best is not None
        wall, start, main_cpu, kids = best
        steady = n / max(wall - start, 1e-9)
        print(
            f"  {workers} worker(s): {n / wall:.0f} req/s ({seq / wall:.2f}x one process); start-up "
            f"{start:.2f} s; steady {steady:.0f} req/s; CPU main {main_cpu:.2f} s, workers {kids:.2f} s"
        )


ACCESS_LOG = DATA / "corpora" / "ingest" / "nginx" / "elastic-examples-apache_logs.combined.log"


def end_to_end(args: argparse.Namespace, n: int) -> None:
    from phiwatch.simulate import SimulationConfig, simulate

    crs_dir = str(DATA / "crs")
    runs = {
        "WAF off": AnalyzeOptions(waf=False),
        "built-in rules": AnalyzeOptions(crs=None),
        "full CRS": AnalyzeOptions(crs=crs_dir),
        "full CRS, input only": AnalyzeOptions(
            crs=crs_dir, waf_config=WafConfig(scope=Scope(only_with_input=True))
        ),
    }
    os.environ.pop("PHIWATCH_CRS_DIR", None)  # "built-in rules" must mean built-in
    with tempfile.TemporaryDirectory() as tmp:
        traffic = Path(tmp) / "traffic.jsonl"
        simulate(traffic, SimulationConfig(seed=7, events=n))
        compare(args, f"{n} simulated events", traffic, runs, Path(tmp))
        if ACCESS_LOG.exists():  # real log: static assets skipped, repeated requests reused
            real = {k: runs[k] for k in ("WAF off", "full CRS")}
            compare(args, f"{ACCESS_LOG.name} (real Apache log)", ACCESS_LOG, real, Path(tmp))


def compare(
    args: argparse.Namespace, label: str, traffic: Path, runs: dict[str, AnalyzeOptions], tmp: Path
) -> None:
    from phiwatch.analyze import analyze

    print(f"\nanalyze, {label}, {os.cpu_count()} CPUs ({os.getloadavg()[0]:.1f} load):")
    base_wall = base_cpu = 0.0
    for i, (name, options) in enumerate(runs.items()):
        best: tuple[float, float, int, int] | None = None
        for _ in range(args.repeat):
            c0, m0 = children_cpu(), time.process_time()
            t = time.perf_counter()
            report = analyze([traffic], db=str(tmp / f"{time.time_ns()}.db"), options=options)
            wall = time.perf_counter() - t
            cpu = time.process_time() - m0 + children_cpu() - c0
            waf = report.summary["waf"]
            evaluated = waf.get("evaluated", 0) if isinstance(waf, dict) else 0
            events = int(report.summary["events"])  # type: ignore[call-overload]
            best = (wall, cpu, evaluated, events) if best is None or wall < best[0] else best
        assert best is not None
        wall, cpu, evaluated, events = best
        if i == 0:
            base_wall, base_cpu = wall, cpu
        print(
            f"  {name:<22}{events / wall:>7.0f} events/s  wall {wall:6.2f} s ({wall / base_wall:.2f}x)  "
            f"CPU {cpu:6.2f} s ({cpu / base_cpu:.2f}x)  WAF-evaluated {evaluated} of {events}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iterations", type=int, default=400)
    ap.add_argument("--stream", type=int, default=5000, help="simulated events (parallel and end to end)")
    ap.add_argument("--repeat", type=int, default=1, help="best of N for the stream and end-to-end runs")
    ap.add_argument("--skip-shapes", action="store_true", help="skip part 1")
    args = ap.parse_args()
    crs = load_engine(DATA / "crs", WafConfig(paranoia_level=1))
    print(f"rules: {crs.source.describe()}")
    if not args.skip_shapes:
        shapes(args, crs)
    parallel(args, crs, simulated(args.stream))
    end_to_end(args, args.stream)


if __name__ == "__main__":
    main()
