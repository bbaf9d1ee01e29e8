"""CSV bodies (report exports, claims files): the header row names the columns, and each
column that names a PHI category is judged cell by cell; a row with PHI is a record."""

from __future__ import annotations

import csv as stdcsv
import io
from collections import Counter

from phiwatch.classify.formats import FORMATS
from phiwatch.classify.keys import key_category
from phiwatch.classify.sink import Sink


class CsvFormat:
    def sniff(self, head: bytes, content_type: str) -> bool:
        if "csv" in content_type or "tab-separated" in content_type:
            return True
        first = head.partition(b"\n")[0]
        return b"," in first and not content_type.startswith(("text/html", "application/xml"))

    def read(self, data: bytes, sink: Sink, skipped: Counter[str], max_records: int) -> None:
        text = data.decode("utf-8", "replace")
        delim = "\t" if text.partition("\n")[0].count("\t") > text.partition("\n")[0].count(",") else ","
        try:
            rows = stdcsv.reader(io.StringIO(text), delimiter=delim)
            header = next(rows, None)
            if not header:
                return
            cols = [(i, key_category(h), h.strip()) for i, h in enumerate(header)]
            cols = [c for c in cols if c[1] is not None]
            if not cols:
                return
            for n, row in enumerate(rows):
                if n >= max_records:
                    skipped["records_capped"] += 1
                    break
                hit = False
                for i, cat, name in cols:
                    if i < len(row) and row[i].strip():
                        hit = sink.judged(str(cat), row[i], f"csv:{name}", context=True) or hit
                sink.records += 1 if hit else 0
        except stdcsv.Error:
            skipped["invalid_csv"] += 1


FORMATS.register("csv")(CsvFormat())
