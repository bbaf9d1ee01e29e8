"""Runtime detectors: one module per detector; ``waf/`` holds the OWASP CRS engine.

The detector modules may be compiled with mypyc (setup.py): then a ``<module>.*.so`` sits
beside each ``<module>.py`` and Python imports it first. The source is loaded instead, for
every compiled module at once (they share one native runtime, so it is all or none), when

* ``PHIWATCH_PURE_PYTHON=1`` is set (to compare both builds, or to debug the source), or
* a ``.py`` is newer than its ``.so``: the source was edited after the build, and running the
  stale binary would silently run old code (a warning says to reinstall).

``build_info()`` says which one is running and why.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
import warnings
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import Any

_HERE = Path(__file__).resolve().parent


def _compiled_modules() -> dict[str, Path]:
    """Module name -> its compiled extension file, for every compiled module here."""
    out: dict[str, Path] = {}
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        for so in _HERE.glob("*" + suffix):
            name = so.name[: -len(suffix)]
            if (_HERE / f"{name}.py").exists():
                out[name] = so
    return out


# An installer writes a wheel's files one after another, the .py maybe just after its .so:
# only a source newer by more than this is an edit made after the build.
STALE_AFTER_S = 10.0


def _stale(compiled: dict[str, Path], here: Path = _HERE) -> list[str]:
    """The compiled modules whose source was edited after the build."""
    return sorted(
        n
        for n, so in compiled.items()
        if (here / f"{n}.py").stat().st_mtime > so.stat().st_mtime + STALE_AFTER_S
    )


class _SourceFirst:
    """A meta-path finder that loads the ``.py`` of the compiled detector modules."""

    def __init__(self, names: set[str]) -> None:
        self.names = names

    def find_spec(
        self, fullname: str, path: Any = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        pkg, _, name = fullname.rpartition(".")
        if pkg == __name__ and name in self.names:
            return importlib.util.spec_from_file_location(fullname, _HERE / f"{name}.py")
        return None


_COMPILED = _compiled_modules()
_REASON = "compiled with mypyc" if _COMPILED else "plain Python (not compiled)"
if _COMPILED:
    if os.environ.get("PHIWATCH_PURE_PYTHON", "") not in ("", "0"):
        _REASON = "plain Python (PHIWATCH_PURE_PYTHON is set)"
    elif stale := _stale(_COMPILED):
        _REASON = f"plain Python (compiled build older than the source of {', '.join(stale)})"
        warnings.warn(
            f"phiwatch.detect: {', '.join(stale)} changed since it was compiled; running the source. "
            "Reinstall (pip install -e .) to rebuild.",
            RuntimeWarning,
            stacklevel=2,
        )
    if _REASON.startswith("plain"):
        sys.meta_path.insert(0, _SourceFirst(set(_COMPILED)))


def build_info() -> dict[str, object]:
    """Which build of the detectors runs: ``compiled`` (bool) and a one-line ``reason``."""
    from phiwatch.detect import base

    compiled = (base.__file__ or "").endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
    return {"compiled": compiled, "reason": _REASON}
