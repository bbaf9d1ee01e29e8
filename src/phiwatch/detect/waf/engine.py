"""The engine interface and its registry. Backends live one per module (``modsec.py``); a faster
engine of our own will register beside it and be held to the same results."""

from __future__ import annotations

from typing import Protocol

import msgspec

from phiwatch.detect.waf.config import WafConfig
from phiwatch.detect.waf.result import WafResult
from phiwatch.detect.waf.rules import RuleSource
from phiwatch.model import Event
from phiwatch.registry import Registry


class WireRequest(msgspec.Struct):
    """A request as it would cross the wire: raw URI (path and query, percent-encoded), header
    pairs in order, body bytes. Built from an Event or from a go-ftw test stage."""

    method: str
    uri: str
    headers: list[tuple[str, str]]
    body: bytes = b""
    http_version: str = "1.1"
    client_ip: str = "127.0.0.1"
    client_port: int = 40000
    server_ip: str = "127.0.0.1"
    server_port: int = 80


class WafEngine(Protocol):
    """Evaluates requests against a loaded rule set. Loading raises ConfigError; evaluation never
    raises for bad input (it is reported on the result)."""

    name: str
    source: RuleSource
    config: WafConfig

    def evaluate(self, event: Event) -> WafResult:
        """Evaluate one event's request (and response where configured)."""

    def evaluate_wire(self, request: WireRequest, endpoint: str = "") -> WafResult:
        """Evaluate a request already in wire form; ``endpoint`` is the path template for
        exclusions."""


class EngineFactory(Protocol):
    def __call__(self, source: RuleSource, config: WafConfig) -> WafEngine: ...


ENGINES: Registry[EngineFactory] = Registry("waf engine")
