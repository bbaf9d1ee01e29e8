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


def docs(source: str) -> list[bytes]:
    path = need_shared("corpora", "phi", source, "files.jsonl.gz")
    out = []
    with gzip.open(path, "rb") as fh:
        for line in fh:
            rec = msgspec.json.decode(line)
            out.append(rec["text"].encode("utf-8", "surrogateescape"))
    return out


@pytest.mark.parametrize(
    ("source", "min_share"),
    [("bfd", 0.9), ("synthea-100p", 0.85), ("pipehat", 0.8), ("ccda-examples", 0.8), ("us-core", 0.5)],
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
