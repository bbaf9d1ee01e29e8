"""Posture checks: one module per check, each registering itself in ``CHECKS``.

A check is a function over a ``CheckContext`` (inventory rows, observed facts, specs,
options) yielding ``Hit``s; ``run_checks`` turns hits into ``Finding``s with the check's
metadata and a stable id, so the same flaw dedups across runs. Adding a check means adding
one module here (``import_all`` finds it) and its rows in ``tests/posture/test_checks.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

import msgspec

from phiwatch.discovery.spec import SpecDocument
from phiwatch.model import Endpoint, EndpointKey
from phiwatch.posture.facts import EndpointFacts, HostFacts
from phiwatch.posture.observe import ObserveStage
from phiwatch.posture.options import PostureOptions
from phiwatch.registry import Registry

SEVERITIES = ("critical", "high", "medium", "low", "info")
_OWASP = re.compile(r"^API([1-9]|10):2023$")  # metadata strings, checked at import
_PARAM = re.compile(r"\{[^{}/]*\}")


class CheckInfo(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    title: str
    severity: str
    owasp: str  # "API2:2023"
    hipaa: tuple[str, ...]  # "164.312(e)(1)"
    remediation: str
    cms: tuple[str, ...] = ()  # CMS interoperability rules it bears on


@dataclass(frozen=True, slots=True)
class Hit:
    """One flaw a check found: where, masked evidence, and what tells it apart on that endpoint."""

    endpoint: EndpointKey | None
    evidence: dict[str, object]
    detail: str = ""


CheckFn = Callable[["CheckContext"], Iterable[Hit]]


@dataclass(frozen=True, slots=True)
class Check:
    info: CheckInfo
    run: CheckFn


CHECKS: Registry[Check] = Registry("posture check")


def check(
    check_id: str,
    *,
    title: str,
    severity: str,
    owasp: str,
    hipaa: tuple[str, ...],
    remediation: str,
    cms: tuple[str, ...] = (),
) -> Callable[[CheckFn], CheckFn]:
    """Register the decorated function as check ``id``; bad metadata fails at import."""
    if severity not in SEVERITIES:
        raise ValueError(f"check {check_id!r}: severity {severity!r} not in {SEVERITIES}")
    if not _OWASP.match(owasp):
        raise ValueError(f"check {check_id!r}: owasp {owasp!r} is not like API1:2023")
    if not title or not remediation or not hipaa:
        raise ValueError(f"check {check_id!r}: title, hipaa and remediation are required")
    info = CheckInfo(
        id=check_id,
        title=title,
        severity=severity,
        owasp=owasp,
        hipaa=hipaa,
        remediation=remediation,
        cms=cms,
    )

    def add(fn: CheckFn) -> CheckFn:
        CHECKS.register(check_id)(Check(info, fn))
        return fn

    return add


def shape(path: str) -> str:
    """A template with every ``{param}`` as ``{}``: spec and traffic paths compare equal."""
    return _PARAM.sub("{}", path)


def host_key(host: str) -> EndpointKey:
    """The pseudo-endpoint of a host-wide finding (headers, schemes)."""
    return EndpointKey("*", host, "/*")


@dataclass
class CheckContext:
    endpoints: list[Endpoint]
    observed: ObserveStage
    specs: list[SpecDocument]
    options: PostureOptions
    warnings: list[str] = field(default_factory=list)

    @cached_property
    def by_key(self) -> dict[EndpointKey, Endpoint]:
        return {ep.key: ep for ep in self.endpoints}

    def facts(self) -> Iterator[tuple[EndpointKey, EndpointFacts]]:
        return iter(self.observed.endpoints.items())

    def hosts(self) -> Iterator[tuple[str, HostFacts]]:
        return iter(self.observed.hosts.items())

    def phi(self, key: EndpointKey) -> list[str]:
        """PHI categories an endpoint returns: the inventory's, else the observed ones."""
        ep = self.by_key.get(key)
        if ep is not None and ep.phi:
            return ep.phi
        f = self.observed.endpoints.get(key)
        return sorted(f.response_phi) if f is not None else []

    @cached_property
    def spec_methods(self) -> dict[str, set[tuple[str, str]]]:
        """Spec path shape -> {(host, METHOD)} (host ``""``: any host)."""
        out: dict[str, set[tuple[str, str]]] = {}
        for doc in self.specs:
            for op in doc.operations:
                out.setdefault(shape(op.path), set()).add((op.host, op.method))
        return out

    @cached_property
    def schemas(self) -> dict[tuple[str, str, str], object]:
        from phiwatch.posture.schemas import load_schemas

        return load_schemas(self.specs, self.warnings)


def registered() -> Registry[Check]:
    """The registry with every check module imported."""
    from phiwatch.posture import checks as pkg
    from phiwatch.registry import import_all

    import_all(pkg)
    return CHECKS
