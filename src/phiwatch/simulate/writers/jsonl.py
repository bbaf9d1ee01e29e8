"""``jsonl``: the canonical format, one exchange object per line (see the package docstring)."""

from __future__ import annotations

from typing import BinaryIO

import orjson

from phiwatch.simulate.writers import WRITERS


class JsonlWriter:
    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh

    def write(self, record: dict[str, object]) -> None:
        self.fh.write(orjson.dumps(record) + b"\n")

    def close(self) -> None:
        pass


WRITERS.register("jsonl")(JsonlWriter)
