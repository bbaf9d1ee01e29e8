"""PHI classification speed: MB/s on one core over Synthea FHIR NDJSON and non-FHIR text,
beside the same value patterns run with Python ``re`` in the same run (the baseline).

Times are CPU seconds of this process (``time.process_time``), best of ``ROUNDS`` after one
warm-up pass (compiles the per-pattern confirmation databases), so that other work on a shared
machine does not count against either side.

    python bench/phi_speed.py
"""

from __future__ import annotations

import glob
import gzip
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import msgspec

from phiwatch.classify import Classifier, ClassifyOptions
from phiwatch.classify.patterns import ALL_RECOGNIZERS
from phiwatch.identity import Fingerprinter
from phiwatch.model import Event, Request, Response

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def chunks(data: bytes, size: int = 1 << 20) -> list[bytes]:
    out, i = [], 0
    while i < len(data):
        j = data.rfind(b"\n", i, i + size)
        j = len(data) if j <= i or i + size >= len(data) else j
        out.append(data[i:j])
        i = j + 1
    return out


ROUNDS = 3


def mbps(fn: Callable[[bytes], None], bodies: list[bytes], rounds: int = ROUNDS) -> float:
    for b in bodies:  # warm-up
        fn(b)
    best = float("inf")
    for _ in range(rounds):
        t = time.process_time()
        for b in bodies:
            fn(b)
        best = min(best, time.process_time() - t)
    return sum(map(len, bodies)) / 1e6 / best


def main() -> None:
    fhir = b"".join(Path(f).read_bytes() for f in sorted(glob.glob(str(DATA / "synthea" / "*.ndjson"))))
    text = b""
    for src in ("presidio-research", "pipehat", "ccda-examples"):
        with gzip.open(DATA / "corpora" / "phi" / src / "files.jsonl.gz", "rb") as fh:
            text += b"\n".join(msgspec.json.decode(line)["text"].encode() for line in fh)
    c = Classifier(ClassifyOptions(), Fingerprinter(b"bench-key-0123456789abcdef"))

    def classify(body: bytes) -> None:
        c.classify(Event(0.0, Request("GET", "/x"), Response(200, {}, body)))

    exprs = [p.lead + p.expr + p.trail for r in ALL_RECOGNIZERS for p in r.patterns]
    compiled = [re.compile(e.replace("(?-i:", "(?:").encode()) for e in exprs]

    def with_re(body: bytes) -> None:
        for rx in compiled:
            for _ in rx.finditer(body):
                pass

    load = os.getloadavg()[0]
    print(f"load average {load:.1f} on {os.cpu_count()} cores (CPU time still rises when cores are shared)")
    for name, data in (("synthea FHIR NDJSON", fhir), ("non-FHIR text (presidio/HL7/C-CDA)", text)):
        bodies = chunks(data)
        ours = mbps(classify, bodies)
        base = mbps(with_re, bodies[:3], rounds=1)
        print(
            f"{name}: {len(data) / 1e6:.1f} MB  classify {ours:.1f} MB/s"
            f"  re {base:.2f} MB/s  ratio {ours / base:.1f}x"
        )


if __name__ == "__main__":
    main()
