"""Simulated time: a seed-derived start in 2026, arrivals weighted to business hours.

Time is kept as integer milliseconds since the epoch (UTC) so formatting is exact and
byte-stable. The organisation works on US Eastern time (UTC-5, no daylight saving, to keep
the model simple); weekday daytime carries most of the load, nights and weekends a trickle.
"""

from __future__ import annotations

import datetime as dt
import functools
import random

UTC_OFFSET_H = -5
MS_PER_HOUR = 3_600_000
MS_PER_DAY = 24 * MS_PER_HOUR
# Relative load per local hour of a weekday (00..23).
HOURLY = (
    0.06, 0.04, 0.03, 0.03, 0.04, 0.08, 0.25, 0.60, 0.95, 1.00, 1.00, 0.95,
    0.85, 0.95, 1.00, 0.95, 0.85, 0.65, 0.45, 0.35, 0.28, 0.20, 0.12, 0.08,
)  # fmt: skip
WEEKEND = 0.3
_EPOCH_2026 = int(dt.datetime(2026, 1, 5, tzinfo=dt.UTC).timestamp()) * 1000  # a Monday
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def start_ms(seed: int) -> int:
    """06:00 local time on a seed-chosen weekday of 2026 (Jan 5 .. Oct 30)."""
    rng = random.Random(f"clock:{seed}")
    week, day = rng.randrange(43), rng.randrange(5)
    return _EPOCH_2026 + (week * 7 + day) * MS_PER_DAY + (6 - UTC_OFFSET_H) * MS_PER_HOUR


def load(ms: int) -> float:
    """Relative arrival rate at ``ms`` (1.0 = weekday peak)."""
    local = ms + UTC_OFFSET_H * MS_PER_HOUR
    days = local // MS_PER_DAY
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
    factor = HOURLY[(local % MS_PER_DAY) // MS_PER_HOUR]
    return factor * WEEKEND if weekday >= 5 else factor


def next_arrival(rng: random.Random, now: int, peak_per_s: float) -> int:
    """Next arrival of a non-homogeneous Poisson process, by thinning against the peak rate."""
    t = now
    while True:
        t += int(rng.expovariate(peak_per_s) * 1000) + 1
        if rng.random() < load(t):
            return t


@functools.lru_cache(maxsize=16_384)  # events share seconds; record dates repeat
def _second(s: int) -> tuple[str, str]:
    d = dt.datetime.fromtimestamp(s, dt.UTC)
    hms = f"{d.hour:02d}:{d.minute:02d}:{d.second:02d}"
    return (
        f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{hms}",
        f"{_DAYS[d.weekday()]}, {d.day:02d} {_MONTHS[d.month - 1]} {d.year:04d} {hms} GMT",
    )


def rfc3339(ms: int) -> str:
    return f"{_second(ms // 1000)[0]}.{ms % 1000:03d}Z"


def http_date(ms: int) -> str:
    """IMF-fixdate as in the HTTP Date header (RFC 9110)."""
    return _second(ms // 1000)[1]
