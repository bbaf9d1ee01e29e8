"""Report formats, keyed by name (``--format`` choices come from this registry).

A ``Report`` is computed once from the store/analysis; each format only renders it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

import msgspec

from phiwatch.model import Alert, Endpoint, Finding
from phiwatch.registry import Registry


class Report(msgspec.Struct):
    """Everything a run produced, in the shape of the JSON contract (DESIGN.md)."""

    summary: dict[str, object]
    endpoints: list[Endpoint]
    findings: list[Finding] = msgspec.field(default_factory=list)
    alerts: list[Alert] = msgspec.field(default_factory=list)
    data_flows: list[dict[str, object]] = msgspec.field(default_factory=list)


Renderer = Callable[[Report, IO[str], bool], None]  # (report, out, color)
FORMATS: Registry[Renderer] = Registry("report format")


def _load() -> None:
    # Import for registration; formats live one per module.
    from phiwatch.report import html_report, json_report, text_report  # noqa: F401


def render(report: Report, fmt: str, out: IO[str], *, color: bool = False) -> None:
    _load()
    FORMATS.get(fmt)(report, out, color)


def format_names() -> list[str]:
    _load()
    return FORMATS.names()
