"""In-process CRS regression runner: go-ftw YAML stages -> libmodsecurity -> expected rule ids.

Engine setup follows CRS's own CI recipe (tests/regression/README.md, rule 900005): detection
only, blocking paranoia level 4, UTF-8 validation on, test argument limits. Response-side
stages, status-only stages and ``expect_error`` stages are counted as skipped: in-process there
is no web server to answer them.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import msgspec

from phiwatch.detect.waf.config import Limits, WafConfig
from phiwatch.detect.waf.ftw import FtwStage, build_request, load_stages
from phiwatch.detect.waf.modsec import ModSecEngine
from phiwatch.detect.waf.overrides import OVERRIDES
from phiwatch.detect.waf.rules import crs_source
from phiwatch.detect.waf.seclang import SCORE_RULE_ID

# CRS's testing recipe (tests/regression/README.md), as go-ftw's CI runs it.
TEST_RECIPE = """SecAction "id:900005,phase:1,nolog,pass,ctl:ruleEngine=DetectionOnly,\\
ctl:ruleRemoveById=910000,setvar:tx.blocking_paranoia_level=4,setvar:tx.crs_validate_utf8_encoding=1,setvar:tx.arg_name_length=100,\\
setvar:tx.arg_length=400,setvar:tx.total_arg_length=64000,setvar:tx.max_num_args=255,\\
setvar:tx.max_file_size=64100,setvar:tx.combined_file_sizes=65535"
"""
TEST_CONFIG = WafConfig(
    paranoia_level=4, fhir=False, validate_utf8=True, limits=Limits(body_bytes=13 << 20, json_depth=10_000)
)

PASS, FAIL, SKIP, OVERRIDDEN = "pass", "fail", "skip", "overridden"


class StageOutcome(msgspec.Struct):
    key: str
    file: str
    outcome: str  # pass | fail | skip | overridden
    why: str = ""  # for fail: what was missing or extra; for skip/override: the reason


class RegressionReport(msgspec.Struct):
    crs_version: str
    outcomes: list[StageOutcome]

    def count(self) -> Counter[str]:
        return Counter(o.outcome for o in self.outcomes)

    @property
    def pass_rate(self) -> float:
        """Passed / (passed + failed + overridden): overrides count against us."""
        c = self.count()
        judged = c[PASS] + c[FAIL] + c[OVERRIDDEN]
        return c[PASS] / judged if judged else 0.0

    @property
    def pass_rate_with_overrides(self) -> float:
        c = self.count()
        judged = c[PASS] + c[FAIL]
        return c[PASS] / judged if judged else 0.0

    def failures(self) -> list[StageOutcome]:
        return [o for o in self.outcomes if o.outcome == FAIL]

    def stale_overrides(self) -> list[str]:
        return [o.key for o in self.outcomes if o.outcome == OVERRIDDEN and o.why.startswith("passes now")]

    def summary(self) -> str:
        c = self.count()
        return (
            f"CRS {self.crs_version} regression (request side): {c[PASS]} passed, {c[FAIL]} failed, "
            f"{c[OVERRIDDEN]} overridden, {c[SKIP]} skipped; pass rate {self.pass_rate:.2%} "
            f"({self.pass_rate_with_overrides:.2%} excluding the {c[OVERRIDDEN]} documented overrides)"
        )


_ID = re.compile(r'\[id "(\d+)"\]')


def judge(stage: FtwStage, log: list[str]) -> tuple[bool, str]:
    """go-ftw's check: rule ids are read from the engine's log lines (``[id "942100"]``)."""
    text = "\n".join(log)
    fired = {int(i) for i in _ID.findall(text)}
    missing = [i for i in stage.expect_ids if i not in fired]
    extra = [i for i in stage.no_expect_ids if i in fired]
    problems = []
    if missing:
        problems.append(f"expected {missing} did not fire")
    if extra:
        problems.append(f"unexpected {extra} fired")
    if stage.match_regex and not re.search(stage.match_regex, text):
        problems.append(f"log does not match {stage.match_regex!r}")
    if stage.no_match_regex and re.search(stage.no_match_regex, text):
        problems.append(f"log matches {stage.no_match_regex!r}")
    return not problems, "; ".join(problems)


def skip_reason(stage: FtwStage) -> str:
    if stage.response_side:
        return "response-side test"
    if stage.expect_error:
        return "expects a transport error from a real server"
    if not stage.checks_log:
        return "checks only the HTTP status of a real server"
    return ""


_worker: ModSecEngine | None = None
_log: list[str] = []


def _init_worker(crs_dir: str, quiet: bool = False) -> None:
    global _worker
    if quiet:  # libxml2 prints every XML parse error of the hostile test bodies to fd 2
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    source = crs_source(Path(crs_dir), "regression")
    _worker = ModSecEngine(source, TEST_CONFIG, extra=TEST_RECIPE, log_sink=_log.append)


def _run_stages(stages: list[FtwStage]) -> list[StageOutcome]:
    engine = _worker
    assert engine is not None
    out: list[StageOutcome] = []
    for stage in stages:
        reason = skip_reason(stage)
        request = None if reason else build_request(stage)
        if request is None:
            out.append(StageOutcome(stage.key, stage.file, SKIP, reason or "unparseable raw request"))
            continue
        _log.clear()
        engine.evaluate_wire(request)
        ok, why = judge(stage, [line for line in _log if f'[id "{SCORE_RULE_ID}"]' not in line])
        override = OVERRIDES.get(stage.key)
        if override is not None:
            out.append(StageOutcome(stage.key, stage.file, OVERRIDDEN, "passes now" if ok else override))
        else:
            out.append(StageOutcome(stage.key, stage.file, PASS if ok else FAIL, why))
    return out


def run_regression(
    crs_dir: Path,
    *,
    workers: int = 1,
    select: Callable[[FtwStage], bool] | None = None,
    tests_dir: Path | None = None,
) -> RegressionReport:
    """Run every selected stage; ``workers`` > 1 splits the files over processes."""
    source = crs_source(crs_dir, "regression")  # ConfigError when crs_dir is not CRS
    tests_dir = tests_dir or crs_dir / "tests" / "regression" / "tests"
    stages = [s for s in load_stages(tests_dir) if select is None or select(s)]
    if workers <= 1:
        _init_worker(str(crs_dir))
        outcomes = _run_stages(stages)
    else:
        chunks = _chunks(stages, workers * 4)
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            workers, mp_context=ctx, initializer=_init_worker, initargs=(str(crs_dir), True)
        ) as pool:
            outcomes = [o for part in pool.map(_run_stages, chunks) for o in part]
    return RegressionReport(crs_version=source.version, outcomes=outcomes)


def _chunks(stages: Iterable[FtwStage], n: int) -> list[list[FtwStage]]:
    items = list(stages)
    size = max(1, -(-len(items) // n))
    return [items[i : i + size] for i in range(0, len(items), size)]
