"""Traffic writers: one module per output format, each registered in ``WRITERS`` by name.

A writer streams: it gets canonical exchange records one at a time and never holds the file
in memory, so a million events take constant memory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO, Protocol

from phiwatch.registry import Registry


class TrafficWriter(Protocol):
    def write(self, record: dict[str, object]) -> None: ...

    def close(self) -> None:
        """Finish the document (the file itself is closed by the caller)."""
        ...


WriterFactory = Callable[[BinaryIO], TrafficWriter]
WRITERS: Registry[WriterFactory] = Registry("traffic format")
