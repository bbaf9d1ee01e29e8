"""Body formats: one module per format, each telling whether it can read a body and reading the
values it can name (by structure or key context) into a ``Sink``. Every body also gets the raw
hyperscan scan, so a format that fails (truncated JSON, broken XML) loses only its structure.

Formats are tried in ``ORDER``; the first whose ``sniff`` accepts the body reads it.
"""

from __future__ import annotations

from collections import Counter
from typing import Protocol

from phiwatch.classify.keys import key_category
from phiwatch.classify.sink import Sink
from phiwatch.registry import Registry, import_all


class BodyFormat(Protocol):
    def sniff(self, head: bytes, content_type: str) -> bool: ...

    def read(self, data: bytes, sink: Sink, skipped: Counter[str], max_records: int) -> None: ...


FORMATS: Registry[BodyFormat] = Registry("body format")
ORDER = ("ndjson", "json", "xml", "hl7v2", "form", "csv")


def load_formats() -> list[BodyFormat]:
    import phiwatch.classify.formats as pkg

    import_all(pkg)
    return [FORMATS.get(name) for name in ORDER]


def keyed(sink: Sink, key: str, value: object, field: str) -> bool:
    """A value under a key that names a PHI category, kept unless its validator says INVALID."""
    category = key_category(key)
    if category is None:
        return False
    if isinstance(value, bool) or value is None:
        return False
    text = value if isinstance(value, str) else str(value)
    if not text.strip():
        return False
    return sink.judged(category, text, field, context=True)


__all__ = ["FORMATS", "ORDER", "BodyFormat", "keyed", "load_formats"]
