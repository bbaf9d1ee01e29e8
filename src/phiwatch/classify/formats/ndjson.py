"""NDJSON (FHIR Bulk ``$export`` output, JSON log lines): one JSON document per line. A bad
line is counted and the rest is read; the raw scan covers the bad line anyway."""

from __future__ import annotations

from collections import Counter

from phiwatch.classify import fhir
from phiwatch.classify.formats import FORMATS
from phiwatch.classify.formats.json_body import read_json_document
from phiwatch.classify.sink import Sink


class NdjsonFormat:
    def sniff(self, head: bytes, content_type: str) -> bool:
        if "ndjson" in content_type or "jsonl" in content_type or "json-seq" in content_type:
            return True
        first, nl, rest = head.lstrip().partition(b"\n")
        return bool(nl) and first.rstrip().endswith(b"}") and rest.lstrip()[:1] == b"{"

    def read(self, data: bytes, sink: Sink, skipped: Counter[str], max_records: int) -> None:
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


FORMATS.register("ndjson")(NdjsonFormat())
