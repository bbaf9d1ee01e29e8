"""Build hook: the runtime detectors are compiled with mypyc, which about doubles their
events per second (bench/detect_speed.py prints which build it measured). Everything else is
plain Python, and so is the package metadata (pyproject.toml).

The compiled modules are the detectors' hot path: the shared view and alert book
(``detect/base.py``), the FHIR compartment tables and the seven detectors. Their msgspec
settings live in ``detect/options.py``, which stays plain Python (see its docstring).

``PHIWATCH_PURE_PYTHON=1`` skips compilation; without mypyc, or when the C compiler fails,
the same modules run as plain Python (the extensions are optional), so an install never
breaks for want of a compiler. ``phiwatch.detect.build_info()`` tells which one is running.
"""

from __future__ import annotations

import os
import sys

from setuptools import setup

COMPILED = [
    "src/phiwatch/detect/base.py",
    "src/phiwatch/detect/fhir_compartment.py",
    "src/phiwatch/detect/bola_ownership.py",
    "src/phiwatch/detect/bola_smart.py",
    "src/phiwatch/detect/bots.py",
    "src/phiwatch/detect/credential_stuffing.py",
    "src/phiwatch/detect/flood.py",
    "src/phiwatch/detect/partner_misuse.py",
    "src/phiwatch/detect/scraping.py",
]


def ext_modules() -> list[object]:
    if os.environ.get("PHIWATCH_PURE_PYTHON", "") not in ("", "0"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("phiwatch: mypyc is not installed: the detectors stay plain Python", file=sys.stderr)
        return []
    exts = mypycify(COMPILED, opt_level="3", debug_level="0", group_name="phiwatch_detect")
    for ext in exts:
        ext.optional = True  # a compiler failure leaves the plain-Python modules in place
    return list(exts)


setup(ext_modules=ext_modules())
