"""Compiled hyperscan databases, kept on disk between runs.

Compiling the PHI pattern databases costs most of a second per process, more than classifying
thousands of exchanges; loading a serialized database costs well under a millisecond. A database
is stored under a name derived from everything that shapes it (expressions, flags, ids, mode,
hyperscan version), so a changed pattern is a new file and a stale one is never read.

The directory is ``$PHIWATCH_CACHE_DIR``, else ``$XDG_CACHE_HOME/phiwatch``, else
``~/.cache/phiwatch``; ``PHIWATCH_CACHE_DIR=off`` turns the cache off. A file that cannot be read
or that hyperscan refuses (another CPU, a truncated write) is compiled afresh; a directory that
cannot be written only costs the compile. Files hold compiled patterns only, never traffic.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import hyperscan

_VERSION = str(getattr(hyperscan, "__version__", "?"))


def cache_dir() -> Path | None:
    explicit = os.environ.get("PHIWATCH_CACHE_DIR")
    if explicit:
        return None if explicit == "off" else Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "phiwatch"


def database_key(exprs: list[bytes], flags: list[int], ids: list[int], mode: int) -> str:
    h = hashlib.sha256(f"{_VERSION}|{mode}|{flags}|{ids}|".encode())
    for expr in exprs:
        h.update(len(expr).to_bytes(4, "big") + expr)
    return h.hexdigest()[:32]


def _load(path: Path, mode: int) -> hyperscan.Database | None:
    try:
        db = hyperscan.loadb(path.read_bytes(), mode)
        db.scratch = hyperscan.Scratch(db)  # a loaded database comes without one
    except (OSError, hyperscan.error, TypeError, ValueError):
        return None
    return db


def _store(path: Path, db: hyperscan.Database) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".hs-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(hyperscan.dumpb(db))
            os.replace(tmp, path)  # atomic: a concurrent reader sees all of it or nothing
        except BaseException:
            os.unlink(tmp)
            raise
    except (OSError, hyperscan.error):
        pass


def cached_database(
    exprs: list[bytes],
    flags: list[int],
    ids: list[int],
    compile_db: Callable[[], hyperscan.Database],
    mode: int = hyperscan.HS_MODE_BLOCK,
) -> hyperscan.Database:
    """The database ``compile_db()`` builds from these expressions, from disk when it is there."""
    directory = cache_dir()
    if directory is None:
        return compile_db()
    path = directory / f"hs-{database_key(exprs, flags, ids, mode)}.db"
    db = _load(path, mode)
    if db is None:
        db = compile_db()
        _store(path, db)
    return db
