"""Collects what one location of one exchange carries: PHI values per category (deduplicated
by value, masked on the way out), patient keys (keyed hashes) and a record count."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from phiwatch.classify.masking import mask
from phiwatch.classify.validators import Validator, Verdict
from phiwatch.model import PhiHit

# Identifier categories that stand for one patient, best first (non-FHIR bodies).
PATIENT_KEYS = ("mrn", "ssn", "mbi", "health_plan_id")


class _Acc:
    __slots__ = ("field", "first", "values")

    def __init__(self, first: str, field: str) -> None:
        self.first = first
        self.field = field
        self.values: set[str] = {first}


class Sink:
    """Findings of one location. Raw values live only here, for one exchange, to deduplicate."""

    def __init__(self, location: str, validators: dict[str, Validator]) -> None:
        self.location = location
        self.validators = validators
        self.found: dict[str, _Acc] = {}
        self.patients: set[str] = set()
        self.records = 0
        self.explained: set[str] = set()  # values structure says are not PHI (an organisation's phone)
        self.fhir_documents = 0  # JSON documents read as FHIR resources (by structure)
        self.other_documents = 0  # any other JSON document (generic key walk)
        self.doc: Any = None  # the whole body as generic JSON, when a format decoded it so

    def add(self, category: str, value: str, field: str = "") -> None:
        """A value whose category is settled (structure said so)."""
        value = value.strip()
        if not value:
            return
        acc = self.found.get(category)
        if acc is None:
            self.found[category] = _Acc(value, field)
        else:
            acc.values.add(value)
        mbi = self.validators.get("mbi") if category == "health_plan_id" else None
        if mbi is not None and mbi(value) is Verdict.VALID:
            self.add("mbi", value, field)  # Medicare's member id is the beneficiary's MBI

    def flag(self, category: str, field: str = "") -> None:
        """A category present without a value of its own (a clinical resource)."""
        if category not in self.found:
            self.found[category] = _Acc("", field)

    def judged(self, category: str, value: str, field: str = "", *, context: bool) -> bool:
        """A candidate: kept when VALID, or when context names it and it is not INVALID."""
        validator = self.validators.get(category)
        verdict = validator(value) if validator is not None else Verdict.UNKNOWN
        if verdict is Verdict.VALID or (context and verdict is Verdict.UNKNOWN):
            self.add(category, value, field)
            return True
        return False

    def patient(self, key: str) -> None:
        if key:
            self.patients.add(key)

    def hits(self, fingerprint: Callable[[str], str]) -> list[PhiHit]:
        found = self.found
        if not found:  # most locations of most exchanges
            return []
        if "fax" in found and "phone" in found:  # a number labelled fax is not also a phone
            found["phone"].values -= found["fax"].values
            if not found["phone"].values:
                del found["phone"]
        out = []
        for category in sorted(found):
            acc = found[category]
            masked = mask(category, acc.first, fingerprint) if acc.first else ""
            values = acc.values
            count = (len(values) - ("" in values)) or 1  # a flag's "" is no value
            out.append(PhiHit(category, self.location, masked, acc.field, count))
        return out

    def patient_keys(self) -> set[str]:
        """Patient keys: FHIR references when there are any, else the best identifier's values."""
        if self.patients:
            return self.patients
        for category in PATIENT_KEYS:
            acc = self.found.get(category)
            if acc is not None:
                return {f"{category}:{v}" for v in acc.values if v}
        return set()
