"""The one exception tree of phiwatch.

    PhiwatchError
    ├── ConfigError   a bad option, rule, spec or unit name; raised at load, never per event
    ├── InputError    a source cannot be read at all (missing, unreadable): one line, exit 2
    └── StoreError    the storage backend failed

A bad record inside a readable source is not an exception: it becomes a
``Rejected(source, line, reason)`` that is counted and reported, and the rest is kept.
"""

from __future__ import annotations


class PhiwatchError(Exception):
    """Base of every error phiwatch raises on purpose."""


class ConfigError(PhiwatchError):
    """Bad configuration, detected when it is loaded."""


class StoreError(PhiwatchError):
    """The store could not be opened, migrated, read or written."""


class InputError(PhiwatchError):
    """A whole input cannot be read; names the file and, when known, the line."""

    def __init__(self, source: str, line: int | None, reason: str) -> None:
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {reason}")
        self.source = source
        self.line = line
        self.reason = reason
