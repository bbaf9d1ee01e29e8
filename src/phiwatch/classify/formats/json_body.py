"""JSON bodies: FHIR resources and Bundles by structure (``fhir.py``), any other JSON by key
names (``"ssn"``, ``"dob"``, ``"mrn"`` ...), walked iteratively with bounded depth."""

from __future__ import annotations

from collections import Counter
from typing import Any

import msgspec

from phiwatch.classify import fhir
from phiwatch.classify.formats import FORMATS, keyed
from phiwatch.classify.keys import KEY_CATEGORY, PERSON_NAME_KEYS, PERSON_PARENTS, key_category, normalise_key
from phiwatch.classify.sink import Sink

_MAX_DEPTH = 64
_JOINED = frozenset({"name", "address"})


def walk_json(obj: Any, sink: Sink, max_records: int) -> None:
    """Key-context walk of generic JSON; a dict holding PHI keys counts as one record. A dict
    under a person key (``PERSON_PARENTS``) also reads its generic name keys as that person's name."""
    stack: list[tuple[Any, str, int, bool]] = [(obj, "$", 0, False)]
    records = 0
    while stack:
        node, path, depth, person = stack.pop()
        if depth > _MAX_DEPTH:
            continue
        if isinstance(node, dict):
            hit = False
            for key, value in node.items():
                k = str(key)
                if isinstance(value, dict | list):
                    nk = normalise_key(k)
                    if nk in PERSON_PARENTS:
                        stack.append((value, f"{path}.{k}", depth + 1, True))
                        continue
                    cat = KEY_CATEGORY.get(nk)
                    if cat is None and person and nk in PERSON_NAME_KEYS:
                        cat = "name"
                    if cat in _JOINED and isinstance(value, dict):
                        text = " ".join(v for v in value.values() if isinstance(v, str))
                        hit = sink.judged(str(cat), text, f"{path}.{k}", context=True) or hit
                    else:
                        stack.append((value, f"{path}.{k}", depth + 1, False))
                elif key_category(k) is not None:  # most keys name nothing: no field string for them
                    hit = keyed(sink, k, value, f"{path}.{k}") or hit
                elif person and isinstance(value, str) and normalise_key(k) in PERSON_NAME_KEYS:
                    hit = sink.judged("name", value, f"{path}.{k}", context=True) or hit
            if hit and records < max_records:
                records += 1
        elif isinstance(node, list):
            for item in node:
                if isinstance(item, dict | list):
                    stack.append((item, f"{path}[]", depth + 1, person))
    sink.records += records


def _read_document(data: bytes, sink: Sink, max_records: int) -> tuple[bool, Any]:
    """(parsed, the generic document when it was not read as FHIR)."""
    res = fhir.skim(data)
    if res is not None:
        fhir.walk(res, sink)
        sink.fhir_documents += 1
        return True, None
    try:
        obj = msgspec.json.decode(data)
    except msgspec.DecodeError:
        return False, None
    walk_json(obj, sink, max_records)
    sink.other_documents += 1
    return True, obj


def read_json_document(data: bytes, sink: Sink, skipped: Counter[str], max_records: int) -> bool:
    """One JSON document; False when it does not parse (the raw scan still covers it)."""
    return _read_document(data, sink, max_records)[0]


def read_json_lines(data: bytes, sink: Sink, skipped: Counter[str], max_records: int) -> None:
    """NDJSON: one JSON document per line; a bad line is counted and the rest is read."""
    resources = fhir.skim_lines(data)
    if resources is not None:  # the common case, a FHIR export: one decoder call
        if len(resources) > max_records:
            skipped["records_capped"] += 1
            del resources[max_records:]
        for res in resources:
            fhir.walk(res, sink)
        sink.fhir_documents += len(resources)
        return
    bad = 0
    for n, line in enumerate(data.split(b"\n")):
        if n >= max_records:
            skipped["records_capped"] += 1
            break
        if line.strip() and not read_json_document(line, sink, skipped, max_records):
            bad += 1
    if bad:
        skipped["invalid_json_fallback"] += 1


class JsonFormat:
    def sniff(self, head: bytes, content_type: str) -> bool:
        return "json" in content_type or head.lstrip()[:1] in (b"{", b"[")

    def read(self, data: bytes, sink: Sink, skipped: Counter[str], max_records: int) -> None:
        parsed, doc = _read_document(data, sink, max_records)
        if parsed:
            sink.doc = doc  # later stages of this exchange reuse it instead of decoding again
            return
        first = data.lstrip().partition(b"\n")[0].rstrip()
        if first[:1] == b"{" and first[-1:] == b"}" and len(first) < len(data.strip()):
            read_json_lines(data, sink, skipped, max_records)  # NDJSON, first line past the sniffed head
        else:
            skipped["invalid_json_fallback"] += 1


FORMATS.register("json")(JsonFormat())
