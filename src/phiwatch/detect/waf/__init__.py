"""WAF payload detection with OWASP CRS v4 behind an engine interface (libmodsecurity first).

engine = load_engine(crs="/path/to/crs", config=WafConfig(paranoia_level=1, mode="block"))
result = engine.evaluate(event)           # WafResult: rule ids, scores, masked excerpts
pipeline stage: WafStage(engine, workers=2)   # alerts from detector "waf", action alert|deny
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
