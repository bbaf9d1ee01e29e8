"""The CRS regression suite, run in-process against libmodsecurity (issue 7's done-when)."""

from __future__ import annotations

from pathlib import Path

from phiwatch.detect.waf.overrides import OVERRIDES
from phiwatch.detect.waf.regression import FAIL, OVERRIDDEN, PASS, run_regression


def test_crs_regression_pass_rate(crs_dir: Path) -> None:
    report = run_regression(crs_dir, workers=2)
    print("\n" + report.summary())
    counts = report.count()
    assert counts[PASS] > 4500  # the whole request-side suite ran, not a slice
    assert report.pass_rate >= 0.99, [(f.key, f.why) for f in report.failures()][:20]
    assert counts[FAIL] == 0, [(f.key, f.why) for f in report.failures()][:20]
    assert report.stale_overrides() == []  # every override still describes a real difference
    assert counts[OVERRIDDEN] == len(OVERRIDES)  # and every override names a test that exists
    assert all(reason for reason in OVERRIDES.values())
