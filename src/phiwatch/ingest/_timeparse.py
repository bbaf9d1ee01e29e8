"""Timestamps of every source format to epoch seconds (float, UTC). A timestamp without an
offset is taken as UTC (log shippers and HAR tools that drop it write UTC)."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


class IsoParser:
    """RFC 3339 / ISO 8601 (``T`` or space, ``Z``, ``+hh:mm``, ``+hhmm``, up to 9 decimals).
    Remembers the last input: consecutive log lines often share a timestamp."""

    __slots__ = ("_last", "_value")

    def __init__(self) -> None:
        self._last = ""
        self._value: float | None = None

    def __call__(self, text: str) -> float | None:
        if text == self._last:
            return self._value
        try:
            dt = datetime.fromisoformat(text.strip())
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=UTC)
            value = dt.timestamp()
        except (ValueError, OverflowError):
            return None
        self._last, self._value = text, value
        return value


class ClfParser:
    """Common Log Format time ``17/May/2015:10:05:03 +0000`` (nginx ``$time_local``).
    Remembers the last minute seen: a log line differs from the previous one in seconds."""

    __slots__ = ("_last", "_minute", "_minute_base", "_value")

    def __init__(self) -> None:
        self._last = ""
        self._value: float | None = None
        self._minute = ""  # "17/May/2015:10:05 +0000"
        self._minute_base = 0.0

    def __call__(self, text: str) -> float | None:
        if text == self._last:
            return self._value
        if len(text) == 26 and text[17] == ":":  # the fixed nginx/Apache shape
            minute = text[:17] + text[20:]
            secs = text[18:20]
            if minute == self._minute and secs.isdigit() and secs < "61":
                value = self._minute_base + int(secs)
                self._last, self._value = text, value
                return value
            value_or_none = self._parse(text)
            if value_or_none is not None and secs.isdigit():
                self._minute, self._minute_base = minute, value_or_none - int(secs)
            return value_or_none
        return self._parse(text)

    def _parse(self, text: str) -> float | None:
        try:
            day, mon, rest = text.split("/", 2)
            year, hh, mm, ss_zone = rest.split(":", 3)
            ss, _, zone = ss_zone.partition(" ")
            month = _MONTHS[mon.lower()]
            secs = float(ss)
            base = calendar.timegm((int(year), month, int(day), int(hh), int(mm), 0, 0, 0, 0)) + secs
            offset = 0
            if zone:
                sign = -1 if zone[0] == "-" else 1
                digits = zone.lstrip("+-").replace(":", "")
                if len(digits) != 4 or not digits.isdigit():
                    return None
                offset = sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
            if not (1 <= int(day) <= 31 and int(hh) < 24 and int(mm) < 60 and secs < 61):
                return None
        except (ValueError, KeyError, IndexError, OverflowError):
            return None
        value = base - offset
        self._last, self._value = text, value
        return value


def epoch_number(text: str) -> float | None:
    """``1424523456.123`` (nginx ``$msec``) -> float; other text -> None."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and 0 <= value < 1e11 else None
