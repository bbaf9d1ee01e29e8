"""Every runtime detector's settings, in one place: the shared ``DetectOptions`` (with the
alert/deny ``Policy``) and one Options struct per detector, as ``DetectOptions.settings[name]``
takes them from a ``--detect-config`` file.

Why here and not in each detector's module: the detector modules are compiled with mypyc
(see setup.py), and a msgspec Struct defined in a compiled module loses its class keywords
(``frozen``, ``forbid_unknown_fields``) and cannot take ``msgspec.field`` defaults. This
module stays plain Python, so the config schema keeps every check msgspec gives it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import yaml

from phiwatch.errors import ConfigError

SEVERITIES = ("low", "medium", "high")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
ACTIONS = ("alert", "deny")


class Policy(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What to do per detector and severity: ``alert`` (default) or ``deny``.

    ``rules`` maps a detector name (or ``"*"``) to a severity (or ``"*"``) to an action; the
    most specific match wins: (detector, severity), (detector, *), (*, severity), (*, *).
    """

    default: str = "alert"
    rules: dict[str, dict[str, str]] = msgspec.field(default_factory=dict)

    def validate(self, known: Iterator[str] | list[str] | None = None) -> None:
        names = set(known) if known is not None else None
        if self.default not in ACTIONS:
            raise ConfigError(f"policy default must be one of {ACTIONS}, got {self.default!r}")
        for det, by_sev in self.rules.items():
            if det != "*" and names is not None and det not in names:
                raise ConfigError(f"policy names unknown detector {det!r}")
            for sev, action in by_sev.items():
                if sev != "*" and sev not in SEVERITY_RANK:
                    raise ConfigError(f"policy for {det!r}: unknown severity {sev!r}")
                if action not in ACTIONS:
                    raise ConfigError(f"policy for {det!r}/{sev}: action must be alert or deny")

    def action(self, detector: str, severity: str) -> str:
        for det in (detector, "*"):
            by_sev = self.rules.get(det)
            if by_sev:
                for sev in (severity, "*"):
                    act = by_sev.get(sev)
                    if act is not None:
                        return act
        return self.default


class DetectOptions(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Options shared by all detectors; ``settings[name]`` holds one detector's own options
    (converted to that detector's Options struct at load; unknown keys are a ConfigError)."""

    window_s: float = 3600.0  # alert aggregation window
    max_keys: int = 100_000  # cap of every per-actor / per-endpoint table of one detector
    max_alerts: int = 20_000  # cap of one detector's alert book
    max_late_s: float = 300.0  # later than this behind "now": clamped to now and counted
    max_future_s: float = 86_400.0  # further ahead than this: skipped unless confirmed
    allowlist: tuple[str, ...] = ()  # CIDRs or IPs that never alert (monitoring, scanners)
    ownership_actors: int = 2048  # actors whose received lists are kept for ownership ...
    ownership_bytes: int = 65_536  # ... each up to this many bytes of recent list bodies
    enabled: tuple[str, ...] | None = None  # None: every registered detector
    settings: dict[str, dict[str, Any]] = msgspec.field(default_factory=dict)
    policy: Policy = msgspec.field(default_factory=Policy)


def load_options(path: Path) -> DetectOptions:
    """Read DetectOptions from a YAML or JSON file; any problem is a ConfigError naming it."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not YAML/JSON: {exc}") from None
    try:
        return msgspec.convert(raw or {}, DetectOptions)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"{path}: {exc}") from None


class BolaOwnershipOptions(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    min_distinct: int = 30  # never alert below this many distinct ids per window
    peer_factor: float = 5.0  # ... nor below this multiple of the peers' high quantile
    peer_quantile: float = 0.95
    min_peers: int = 20  # peer samples needed before the quantile is trusted
    min_success_ids: int = 10  # 2xx on this many distinct ids: high severity
    probe_min_requests: int = 20  # probing: at least this many object requests ...
    probe_ratio: float = 0.5  # ... of which this share refused (401/403/404)
    ids_cap: int = 512  # exact ids kept per (identity, endpoint); beyond, only counted
    exempt_system_scopes: bool = True


class BolaSmartOptions(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    parse_bodies: bool = True  # read patient references in 2xx response bodies
    body_when_pinned: bool = False  # also parse when path/query already name only the own patient
    max_body_bytes: int = 8_000_000  # larger bodies are not parsed (counted)
    max_entries: int = 5_000  # Bundle entries read per body


class BotsOptions(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    extra_agents: dict[str, str] = msgspec.field(default_factory=dict)  # token -> kind
    regular_min: int = 40  # intervals needed before judging regularity
    regular_cv: float = 0.05  # coefficient of variation below this: machine-regular
    regular_max_interval_s: float = 600.0
    regular_min_requests: int = 2000  # regular and this busy in a window: medium


class CredentialStuffingOptions(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    login_paths: tuple[str, ...] = (
        "/login",
        "/signin",
        "/sign-in",
        "/logon",
        "/authenticate",
        "/session",
        "/sessions",
        "/oauth2/token",
        "/oauth/token",
        "/connect/token",
    )
    min_failures: int = 10
    min_fail_ratio: float = 0.5
    min_usernames: int = 5
    brute_failures: int = 20
    takeover_failures: int = 8
    campaign_ips: int = 10
    campaign_failures: int = 30
    campaign_ratio: float = 0.7
    campaign_usernames: int = 20
    max_body_bytes: int = 16_384  # larger login bodies are not read (counted)
    users_cap: int = 512


class FloodOptions(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    min_volume: int = 600  # requests per minute on one endpoint before any endpoint alert
    factor: float = 5.0
    alpha: float = 0.05  # EWMA weight of each new minute
    min_samples: int = 30  # minutes an hour-of-day slot needs before it is trusted
    concentration: float = 0.3  # share of the minute from the top source to name it
    client_min: int = 300  # requests per minute from one actor
    cost_min: float = 2000.0  # cost units per minute from one actor
    expensive_surcharge: float = 20.0
    top_sources: int = 32  # sources tracked per endpoint minute (Misra-Gries)


class Purpose(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    resource_types: tuple[str, ...] = ()  # empty: any
    operations: tuple[str, ...] = ()  # e.g. "GET read", "GET search", "GET $export"; empty: any


class PartnerMisuseOptions(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    learn_events: int = 300
    learn_s: float = 1800.0
    volume_factor: float = 5.0
    volume_min: int = 500
    purposes: dict[str, Purpose] = msgspec.field(default_factory=dict)
    types_cap: int = 256  # resource types / operations kept per partner


class ScrapingOptions(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    window_s: float = 6 * 3600.0  # scraping accumulates over this window
    max_records: int = 500
    distributed_records: int = 100
    min_ips: int = 10
    walk_run: int = 25  # consecutive ids stepping by 1..walk_step
    walk_step: int = 3
    deep_offset: int = 1000  # an offset this deep, or a page number of deep_offset/20
    deep_pages: int = 5
    broad_count: int = 1000  # _count at least this is a broad search
    broad_searches: int = 10
    records_cap: int = 1024  # exact record keys per identity (past max_records only counted)
    ips_cap: int = 256
    exempt_system_scopes: bool = True


OptionsT = TypeVar("OptionsT", bound=msgspec.Struct)


def detector_options(cls: type[OptionsT], name: str, settings: Mapping[str, Any]) -> OptionsT:
    """One detector's Options struct from its raw settings (ConfigError when bad)."""
    try:
        return msgspec.convert(dict(settings), cls)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"detector {name!r}: {exc}") from None
