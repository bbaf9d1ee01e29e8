from __future__ import annotations

import pytest

from phiwatch.sketch import HyperLogLog, hash64


@pytest.mark.parametrize("n", [0, 1, 10, 100, 1000, 50_000])
def test_hll_estimate_close(n: int) -> None:
    hll = HyperLogLog()
    for i in range(n):
        hll.add(f"client-{i}")
    est = hll.count()
    assert abs(est - n) <= max(2, 0.08 * n)  # ~3 % standard error at 1024 registers


def test_hll_merge_and_roundtrip() -> None:
    a, b = HyperLogLog(), HyperLogLog()
    for i in range(500):
        a.add(str(i))
    for i in range(250, 750):
        b.add(str(i))
    a.merge(b)
    assert abs(a.count() - 750) < 60
    assert HyperLogLog(a.to_bytes()).count() == a.count()
    with pytest.raises(ValueError):
        HyperLogLog(b"x")


def test_hash64_stable() -> None:
    assert hash64("abc") == hash64("abc") and hash64("abc") != hash64("abd")
