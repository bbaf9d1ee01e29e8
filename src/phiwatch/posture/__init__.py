"""Posture: OWASP API Top 10 (2023), HIPAA 164.312 and CMS interoperability checks.

Two halves. ``ObserveStage`` (pipeline stage ``posture_observe``, after classify) folds each
event into bounded per-endpoint and per-host facts. ``run_checks`` runs every registered
check (``posture/checks/``, one module each) over the inventory, those facts and the specs,
once per analysis; a check that raises is reported in ``CheckRun.failed`` and the others
finish.

    observe = ObserveStage(options)                  # add to the pipeline after classify
    ...
    run = run_checks(endpoints, observe, specs, options)
    store.upsert_findings(run.findings); store.save_state("posture", observe.to_bytes())
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import msgspec

from phiwatch.discovery.spec import SpecDocument
from phiwatch.model import Endpoint, Finding
from phiwatch.posture.checks import CHECKS, Check, CheckContext, CheckInfo, Hit, registered
from phiwatch.posture.observe import ObserveStage
from phiwatch.posture.options import PostureOptions

SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


class CheckRun(msgspec.Struct):
    findings: list[Finding]
    failed: dict[str, str] = msgspec.field(default_factory=dict)  # check id -> error, one line
    warnings: list[str] = msgspec.field(default_factory=list)  # e.g. a spec schema skipped


def finding_id(check_id: str, hit: Hit) -> str:
    """Stable across runs: the check, the endpoint and what distinguishes the flaw there."""
    ep = hit.endpoint
    where = f"{ep.method} {ep.host} {ep.path}" if ep is not None else "-"
    return hashlib.blake2b(f"{check_id}\x00{where}\x00{hit.detail}".encode(), digest_size=8).hexdigest()


def to_finding(info: CheckInfo, hit: Hit) -> Finding:
    return Finding(
        id=finding_id(info.id, hit),
        check=info.id,
        title=info.title,
        severity=info.severity,
        owasp=info.owasp,
        hipaa=info.hipaa,
        endpoint=hit.endpoint,
        evidence=hit.evidence,
    )


def run_checks(
    endpoints: Sequence[Endpoint],
    observed: ObserveStage,
    specs: Sequence[SpecDocument],
    options: PostureOptions | None = None,
    *,
    only: Sequence[str] | None = None,
) -> CheckRun:
    """Every registered check (or those named in ``only``) over one inventory."""
    reg = registered()
    ctx = CheckContext(list(endpoints), observed, list(specs), options or observed.options)
    findings: dict[str, Finding] = {}
    failed: dict[str, str] = {}
    for name in only if only is not None else reg.names():
        chk = reg.get(name)
        try:
            for hit in chk.run(ctx):
                f = to_finding(chk.info, hit)
                findings.setdefault(f.id, f)
        except Exception as exc:  # one broken check never stops the others
            failed[name] = f"{type(exc).__name__}: {exc}"[:300]
    ordered = sorted(
        findings.values(),
        key=lambda f: (
            SEVERITY_RANK.get(f.severity, 9),
            f.endpoint.host if f.endpoint else "",
            f.endpoint.path if f.endpoint else "",
            f.check,
        ),
    )
    return CheckRun(findings=ordered, failed=failed, warnings=list(dict.fromkeys(ctx.warnings)))


def check_catalog() -> list[CheckInfo]:
    """Metadata of every check (docs, HTML report), sorted by OWASP category then id."""
    reg = registered()
    infos = [reg.get(n).info for n in reg.names()]
    return sorted(infos, key=lambda i: (int(i.owasp[3:].split(":")[0]), i.id))


def check_info(check_id: str) -> CheckInfo | None:
    reg = registered()
    return reg.units[check_id].info if check_id in reg else None


__all__ = [
    "CHECKS",
    "Check",
    "CheckContext",
    "CheckInfo",
    "CheckRun",
    "Hit",
    "ObserveStage",
    "PostureOptions",
    "check_catalog",
    "check_info",
    "finding_id",
    "run_checks",
]
