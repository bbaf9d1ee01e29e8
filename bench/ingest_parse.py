"""JSONL and log reader throughput, printed beside a baseline measured in the same run.

    python bench/ingest_parse.py [N]

Baseline: ``json.loads`` of each line (no Event built). Readers: the JSONL reader (the
project's speed baseline: typed msgspec decode + Event), and nginx ``combined``. Not part of
the test suite; the figures depend on the machine, the ratios much less.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from phiwatch.ingest import IngestOptions, IngestReport, read_events

JSONL_LINE = (
    '{{"ts": "2026-03-01T12:{m:02d}:{s:02d}.123Z", "client_ip": "203.0.113.{ip}", '
    '"request": {{"method": "GET", "url": "https://fhir.example.org/r4/Patient/{pid}?_format=json", '
    '"headers": {{"Authorization": "Bearer abc.def.ghi", "Accept": "application/fhir+json", '
    '"User-Agent": "SMART-App/2.1"}}}}, '
    '"response": {{"status": 200, "headers": {{"Content-Type": "application/fhir+json"}}, '
    '"body": "{{\\"resourceType\\":\\"Patient\\",\\"id\\":\\"{pid}\\"}}", "duration_ms": 12.5}}}}\n'
)
NGINX_LINE = (
    '203.0.113.{ip} - - [01/Mar/2026:12:{m:02d}:{s:02d} +0000] "GET /r4/Patient/{pid}?_format=json HTTP/1.1" '
    '200 1532 "-" "SMART-App/2.1"\n'
)


def write(path: Path, template: str, n: int) -> None:
    with path.open("w") as out:
        for i in range(n):
            out.write(template.format(m=(i // 60) % 60, s=i % 60, ip=i % 250, pid=i))


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>10,.0f} lines/s"


def baseline(path: Path) -> None:
    with path.open("rb") as f:
        for line in f:
            json.loads(line)


def reader(path: Path, n: int) -> None:
    report = IngestReport()
    count = sum(1 for _ in read_events(path, report, IngestOptions(default_host="fhir.example.org")))
    assert count == n and report.rejected == 0, (count, report.rejected)


def best_of(runs: int, fn: Callable[[], None]) -> float:
    """Fastest of a few runs, in CPU time of this process: the machine is shared."""
    times = []
    for _ in range(runs):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return min(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory() as tmp:
        jsonl = Path(tmp) / "t.jsonl"
        nginx = Path(tmp) / "t.log"
        write(jsonl, JSONL_LINE, n)
        write(nginx, NGINX_LINE, n)
        base = best_of(runs, lambda: baseline(jsonl))
        print(f"baseline json.loads per line      {rate(n, base)}")
        for name, path in (("jsonl reader -> Event", jsonl), ("nginx combined -> Event", nginx)):
            took = best_of(runs, lambda path=path: reader(path, n))  # type: ignore[misc]
            print(f"{name:<33} {rate(n, took)}  ({base / took:.2f}x the baseline)")


if __name__ == "__main__":
    main()
