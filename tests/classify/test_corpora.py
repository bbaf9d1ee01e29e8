"""The classifier over real documents in ../shared/data/corpora/phi (read in place)."""

from __future__ import annotations

import gzip
from collections import Counter

import msgspec
import pytest

from phiwatch.classify import Classifier
from tests.conftest import need_shared
from tests.factories import tevent

VALIDATED = {"ssn", "npi", "dea", "mbi", "payment_card", "loinc", "snomed", "email", "phone"}


def named_docs(source: str) -> list[tuple[str, bytes]]:
    path = need_shared("corpora", "phi", source, "files.jsonl.gz")
    out = []
    with gzip.open(path, "rb") as fh:
        for line in fh:
            rec = msgspec.json.decode(line)
            out.append((rec["path"], rec["text"].encode("utf-8", "surrogateescape")))
    return out


def docs(source: str) -> list[bytes]:
    return [text for _, text in named_docs(source)]


@pytest.mark.parametrize(
    ("source", "min_share"),
    [("bfd", 0.9), ("pipehat", 0.8), ("ccda-examples", 0.8), ("us-core", 0.5)],
)
def test_phi_sources_yield_phi(classifier: Classifier, source: str, min_share: float) -> None:
    files = docs(source)
    with_phi = sum(1 for d in files if classifier.classify(tevent(path="/x", resp_body=d)))
    assert with_phi / len(files) >= min_share


@pytest.mark.parametrize("source", ["stripe-openapi", "elastic-examples"])
def test_non_phi_sources_have_few_validated_hits(classifier: Classifier, source: str) -> None:
    counts: Counter[str] = Counter()
    total = 0
    for d in docs(source):
        total += len(d)
        for h in classifier.classify(tevent(path="/x", resp_body=d)):
            if h.category in VALIDATED:
                counts[h.category] += h.count
    per_mb = sum(counts.values()) / max(total / 1e6, 0.001)
    assert per_mb < 100, counts  # measured: stripe ~53/MB (fixture e-mails), elastic lower


def test_synthea_export_files_by_resource(classifier: Classifier) -> None:
    """Each file of a Synthea bulk export: person and patient-compartment resources carry PHI;
    Organization and Location carry only an organisation's own phone and address, not PHI."""
    found = {
        name: {h.category for h in classifier.classify(tevent(path="/x", resp_body=text))}
        for name, text in named_docs("synthea-100p")
    }
    assert {"name", "ssn", "date", "address", "phone", "clinical"} <= found["Patient.000.ndjson"]
    assert {"name", "npi", "email"} <= found["Practitioner.000.ndjson"]
    assert {"clinical", "snomed"} <= found["AllergyIntolerance.000.ndjson"]
    assert "device_id" in found["Device.000.ndjson"]
    assert found["Organization.000.ndjson"] == set()
    assert found["Location.000.ndjson"] == set()
