"""NDJSON (FHIR Bulk ``$export`` output, JSON log lines): one JSON document per line. A bad
line is counted and the rest is read; the raw scan covers the bad line anyway."""

from __future__ import annotations

from collections import Counter

from phiwatch.classify.formats import FORMATS
from phiwatch.classify.formats.json_body import read_json_lines
from phiwatch.classify.sink import Sink


class NdjsonFormat:
    def sniff(self, head: bytes, content_type: str) -> bool:
        if "ndjson" in content_type or "jsonl" in content_type or "json-seq" in content_type:
            return True
        first, nl, rest = head.lstrip().partition(b"\n")
        return bool(nl) and first.rstrip().endswith(b"}") and rest.lstrip()[:1] == b"{"

    def read(self, data: bytes, sink: Sink, skipped: Counter[str], max_records: int) -> None:
        read_json_lines(data, sink, skipped, max_records)


FORMATS.register("ndjson")(NdjsonFormat())
