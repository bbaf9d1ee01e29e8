"""PHI accuracy: precision and recall per category over labelled bodies.

Positives: Synthea Patient/Practitioner/Condition resources (truth from FHIR structure) and
hand-made non-FHIR bodies (JSON keys, text, HL7 v2). Negatives: HttpParamsDataset benign
values, UUIDs, timestamps, order numbers, lab values, random digits failing checksums.
A body-level decision per category: predicted = the classifier reported it.

    python bench/phi_accuracy.py
"""

from __future__ import annotations

import csv
import random
import uuid
from collections import Counter
from pathlib import Path

import msgspec

from phiwatch.classify import Classifier, ClassifyOptions
from phiwatch.classify.validators import luhn_ok
from phiwatch.identity import Fingerprinter
from phiwatch.model import Event, Request, Response

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
TRUTH_SYSTEMS = {"http://hl7.org/fhir/sid/us-ssn": "ssn", "http://hl7.org/fhir/sid/us-npi": "npi"}


def fhir_truth(res: dict[str, object]) -> set[str]:
    truth = {"clinical"} if res["resourceType"] in ("Patient", "Condition") else set()
    for ident in res.get("identifier", []) or []:  # type: ignore[attr-defined]
        cat = TRUTH_SYSTEMS.get(ident.get("system", ""))
        if cat:
            truth.add(cat)
    if res["resourceType"] == "Patient":
        truth |= {"name", "date", "address", "phone", "mrn", "license", "other_id"}
    if res["resourceType"] == "Condition":
        truth |= {"snomed"}  # Synthea codes conditions in SNOMED CT
    if res["resourceType"] == "Practitioner":
        truth |= {"name"}
    return truth


def samples() -> list[tuple[bytes, set[str]]]:
    out: list[tuple[bytes, set[str]]] = []
    for kind in ("Patient", "Practitioner", "Condition"):
        for line in (DATA / "synthea" / f"{kind}.000.ndjson").read_bytes().splitlines()[:300]:
            out.append((line, fhir_truth(msgspec.json.decode(line))))
    rng = random.Random(7)
    for i in range(200):
        ssn = f"{rng.randint(100, 665):03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"
        email = f"user{i}@mail{i % 7}.net"
        out.append(
            (
                (
                    f'{{"member": {{"ssn": "{ssn}", "email": "{email}", '
                    f'"dob": "1980-0{1 + i % 9}-1{i % 10}"}}}}'
                ).encode(),
                {"ssn", "email", "date"},
            )
        )
        out.append(
            (
                f"Patient note: call ({rng.randint(201, 989)}) 555-01{i % 100:02d}. SSN {ssn}.".encode(),
                {"phone", "ssn"},
            )
        )
    # negatives
    with open(DATA / "http-params" / "payload_full.csv", newline="") as fh:
        benign = [row["payload"] for row in csv.DictReader(fh) if row["label"] == "norm"]
    for value in rng.sample(benign, 3000):
        # HttpParams "norm" values include real-looking e-mail addresses: label them as such
        out.append((f'{{"q": "{value}"}}'.encode(), {"email"} if "@" in value and "." in value else set()))
    for _ in range(500):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.choice((9, 10, 16))))
        if luhn_ok(digits):
            digits = digits[:-1] + str((int(digits[-1]) + 1) % 10)
        out.append(
            (
                f'{{"order": "{digits}", "id": "{uuid.UUID(int=rng.getrandbits(128))}", '
                f'"ts": "2024-0{1 + rng.randint(0, 8)}-1{rng.randint(0, 9)}T10:00:00Z", '
                '"glucose": 5.4}'.encode(),
                set(),
            )
        )
    return out


def main() -> None:
    c = Classifier(ClassifyOptions(), Fingerprinter(b"bench-key-0123456789abcdef"))
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for body, truth in samples():
        got = {h.category for h in c.classify(Event(0.0, Request("GET", "/x"), Response(200, {}, body)))}
        for cat in got | truth:
            if cat in got and cat in truth:
                tp[cat] += 1
            elif cat in got:
                fp[cat] += 1
            else:
                fn[cat] += 1
    print(f"{'category':<16}{'precision':>10}{'recall':>8}{'tp':>6}{'fp':>5}{'fn':>5}")
    for cat in sorted(set(tp) | set(fp) | set(fn)):
        p = tp[cat] / max(tp[cat] + fp[cat], 1)
        r = tp[cat] / max(tp[cat] + fn[cat], 1)
        print(f"{cat:<16}{p:>10.3f}{r:>8.3f}{tp[cat]:>6}{fp[cat]:>5}{fn[cat]:>5}")


if __name__ == "__main__":
    main()
