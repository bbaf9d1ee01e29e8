"""application/x-www-form-urlencoded bodies (FHIR ``_search`` POSTs, login forms): each field
is judged by its name, like a JSON key. Query strings go through the same reader."""

from __future__ import annotations

from collections import Counter
from urllib.parse import parse_qsl

from phiwatch.classify.formats import FORMATS, keyed
from phiwatch.classify.sink import Sink

# FHIR search parameters that carry a person's identifiers (Patient?birthdate=..., ?identifier=...)
FHIR_PARAMS = {
    "birthdate": "date",
    "death-date": "date",
    "family": "name",
    "given": "name",
    "name": "name",
    "phonetic": "name",
    "address": "address",
    "address-postalcode": "address",
    "phone": "phone",
    "email": "email",
    "telecom": "phone",
}


def read_pairs(text: str, sink: Sink, prefix: str) -> None:
    from phiwatch.classify.fhir import identifier_category

    for key, value in parse_qsl(text, keep_blank_values=False)[:1000]:
        field = f"{prefix}{key}"
        if keyed(sink, key, value, field):
            continue
        base = key.split(":")[0].lower()
        cat = FHIR_PARAMS.get(base)
        if cat is not None:
            sink.judged(cat, value, field, context=True)
        elif base in ("identifier", "patient.identifier", "subject.identifier") and "|" in value:
            system, _, ident = value.partition("|")
            id_cat = identifier_category(system, [])
            if id_cat is not None and ident:
                sink.add(id_cat, ident, field)


class FormFormat:
    def sniff(self, head: bytes, content_type: str) -> bool:
        return "x-www-form-urlencoded" in content_type

    def read(self, data: bytes, sink: Sink, skipped: Counter[str], max_records: int) -> None:
        read_pairs(data.decode("utf-8", "replace"), sink, "form:")
        sink.records += 1 if sink.found else 0


FORMATS.register("form")(FormFormat())
