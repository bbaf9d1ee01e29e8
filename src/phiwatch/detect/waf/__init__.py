"""WAF payload detection with OWASP CRS v4 behind an engine interface (libmodsecurity first).

engine = load_engine(crs="/path/to/crs", config=WafConfig(paranoia_level=1, mode="block"))
result = engine.evaluate(event)           # WafResult: rule ids, scores, masked excerpts
pipeline stage: WafStage(engine, workers=2)   # alerts from detector "waf", action alert|deny

Cost and scope: libmodsecurity with CRS PL1 spends 1-9 ms of C++ a request (about 1.5 ms for an
API read), several times the rest of the pipeline, so ``phiwatch analyze`` evaluates in worker
processes (``WafStage.annotate`` -> ``evaluate_parallel``; one per CPU) while the main process runs
the other stages. By default (``Scope``) every request is evaluated except static assets (GET/HEAD
of .css/.js/images/fonts/media without query or body); those are decided in the main process and
never shipped. Workers receive only the request, client address and endpoint template (the
response only when ``inspect_response`` is on). ``Scope(only_with_input=True)`` narrows to requests
with a query or body. ``phiwatch rules info`` prints the scope in force.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from phiwatch.detect.waf import modsec as _modsec  # noqa: F401 - registers the "modsecurity" backend
from phiwatch.detect.waf.config import MODE_BLOCK, MODE_DETECT, Exclusion, Limits, Scope, WafConfig
from phiwatch.detect.waf.engine import ENGINES, WafEngine, WireRequest
from phiwatch.detect.waf.parallel import evaluate_parallel
from phiwatch.detect.waf.result import WafMatch, WafResult
from phiwatch.detect.waf.rules import RuleSource, builtin_source, empty_source, resolve_source
from phiwatch.detect.waf.stage import WafStage, result_to_alert

__all__ = [
    "ENGINES",
    "MODE_BLOCK",
    "MODE_DETECT",
    "Exclusion",
    "Limits",
    "RuleSource",
    "Scope",
    "WafConfig",
    "WafEngine",
    "WafMatch",
    "WafResult",
    "WafStage",
    "WireRequest",
    "builtin_source",
    "empty_source",
    "evaluate_parallel",
    "load_engine",
    "resolve_source",
    "result_to_alert",
]


def load_engine(
    crs: str | Path | None = None,
    config: WafConfig | None = None,
    *,
    engine: str = "modsecurity",
    env: Mapping[str, str] | None = None,
    source: RuleSource | None = None,
) -> WafEngine:
    """An engine over CRS (``crs``, ``PHIWATCH_CRS_DIR``, Debian) or, when none is found, the
    built-in rules; ``engine.source.describe()`` says which. Raises ConfigError at load."""
    config = config or WafConfig()
    source = source or resolve_source(crs, env, response_rules=config.inspect_response)
    return ENGINES.get(engine)(source, config)
