"""WAF configuration: paranoia, anomaly thresholds, mode, exclusions, content types, limits, scope.

Checked once at load (``ConfigError``); the per-event path only reads it.
"""

from __future__ import annotations

import msgspec

from phiwatch.errors import ConfigError

MODE_DETECT = "detect"  # alerts only: action is always "alert"
MODE_BLOCK = "block"  # action "deny" once the inbound anomaly score reaches the threshold
MODES = (MODE_DETECT, MODE_BLOCK)

# Media types (lower-case, no parameters) that the FHIR profile allows, and the body processor
# each is routed to. ``application/x-ndjson`` is wrapped into a JSON array before it reaches the
# engine (libmodsecurity has no NDJSON processor), so each line is parsed as JSON.
FHIR_CONTENT_TYPES: dict[str, str] = {
    "application/fhir+json": "JSON",
    "application/json-patch+json": "JSON",
    "application/merge-patch+json": "JSON",
    "application/x-ndjson": "JSON",
    "application/ndjson": "JSON",
    "application/fhir+xml": "XML",
}
# What CRS allows by default (crs-setup.conf.example, 900220), kept so tests can compare.
CRS_DEFAULT_CONTENT_TYPES = (
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "multipart/related",
    "text/xml",
    "application/xml",
    "application/soap+xml",
    "application/json",
    "application/cloudevents+json",
    "application/cloudevents-batch+json",
)
# CRS rules that misfire on what FHIR defines as normal content, and the JSON fields (a regex over
# the JSON body processor's ARGS names) where the FHIR profile takes them off. Every other rule
# still inspects those fields.
# (SecLang target regexes cannot contain "|": one pattern per alternative.)
FHIR_FIELD_EXCLUSIONS: tuple[tuple[frozenset[int], tuple[str, ...], str], ...] = (
    (
        frozenset({941100, 941130, 941160}),
        (r"^json\.(?:.*\.)?text\.div$",),
        "Narrative.div is XHTML by definition (<div xmlns=...>); script tags, event handlers and "
        "javascript: URIs (941110/941120/941170...) still fire there",
    ),
    (
        frozenset({933160}),
        (r"^json\..*\.display$", r"^json\..*\.text$", r"^json\.(?:.*\.)?deviceName\.array_[0-9]+\.name$"),
        "SNOMED CT display strings (also copied into Device.deviceName) end in a semantic tag, e.g. "
        "'System (physical object)', which reads as a PHP call 'system (...)'",
    ),
)
# Rules whose ARGS_NAMES inspection misfires on FHIR element paths: the JSON body processor names
# each value by its element path, and FHIR element names are fixed by the specification
# ("json.insurance.array_0.coverage.reference" holds ".coverage", an OS file name in CRS's LFI
# list). Values are still inspected; names outside JSON bodies too.
FHIR_NAME_EXCLUSIONS: tuple[tuple[frozenset[int], str, str], ...] = (
    (
        frozenset({930120}),
        r"^json\.",
        "FHIR element paths (Claim.insurance.coverage, meta.profile) read as OS file names",
    ),
)
# FHIR's RESTful API uses PUT, PATCH and DELETE as normal methods (CRS allows GET HEAD POST OPTIONS).
FHIR_METHODS = ("GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE")


class Exclusion(msgspec.Struct, frozen=True):
    """Rule ids and/or tags switched off on one endpoint (a path template like ``/Patient/{id}``).

    ``method`` empty means every method. Tags match exactly (``attack-sqli``) or, when they end in
    ``*``, by prefix (``OWASP_CRS/ATTACK-*``)."""

    path: str
    rule_ids: frozenset[int] = frozenset()
    tags: frozenset[str] = frozenset()
    method: str = ""
    reason: str = ""


class Scope(msgspec.Struct, frozen=True):
    """Which events are worth the WAF's 1-7 ms. Defaults: evaluate everything except static assets
    (GET/HEAD of ``.css``, ``.js``, images, fonts, ... with no query string), because path
    traversal and header attacks need no body or query. ``only_with_input`` narrows to requests
    that carry a query string or a body, for the cheapest pass over very large logs."""

    skip_static: bool = True
    only_with_input: bool = False
    static_extensions: frozenset[str] = frozenset(
        {
            "css", "js", "mjs", "map", "png", "jpg", "jpeg", "gif", "webp", "svg", "ico", "bmp",
            "woff", "woff2", "ttf", "otf", "eot", "mp4", "webm", "mp3",
        }
    )  # fmt: skip


class Limits(msgspec.Struct, frozen=True):
    """Bounds that keep hostile input from costing unbounded time or memory. Anything cut is
    reported on the result (``WafResult.notes``), never silently dropped."""

    body_bytes: int = 1 << 20  # inspect the first MiB of a body (ProcessPartial beyond)
    header_value_bytes: int = 16 << 10  # longer values are cut (CRS sees the cut value)
    headers: int = 200  # more headers than this are dropped
    uri_bytes: int = 64 << 10
    json_depth: int = 512  # deeper JSON is a body-parse error (a protocol violation)
    arguments: int = 1000
    pcre_match_limit: int = 100_000  # bounds regex backtracking per operator call


class WafConfig(msgspec.Struct, frozen=True):
    """Everything the engine needs at load. ``paranoia_level`` is the blocking level (1-4);
    ``detection_paranoia_level`` (>= it) runs extra rules that log but do not count."""

    paranoia_level: int = 1
    detection_paranoia_level: int = 0  # 0: same as paranoia_level
    inbound_threshold: int = 5
    outbound_threshold: int = 4
    mode: str = MODE_DETECT
    fhir: bool = True  # FHIR content types, methods and body-processor routing
    extra_content_types: tuple[str, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    limits: Limits = Limits()
    scope: Scope = Scope()
    inspect_response: bool = False  # CRS response rules (95x); off: offline logs rarely hold bodies
    validate_utf8: bool = True  # CRS 4.28's default: invalid UTF-8 in args/path is flagged (920250)

    def __post_init__(self) -> None:
        if self.paranoia_level not in (1, 2, 3, 4):
            raise ConfigError(f"paranoia level must be 1-4, got {self.paranoia_level}")
        if self.detection_paranoia_level and not (self.paranoia_level <= self.detection_paranoia_level <= 4):
            raise ConfigError(
                f"detection paranoia level must be between {self.paranoia_level} and 4, "
                f"got {self.detection_paranoia_level}"
            )
        if self.inbound_threshold < 1 or self.outbound_threshold < 1:
            raise ConfigError("anomaly thresholds must be >= 1")
        if self.mode not in MODES:
            raise ConfigError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        for ct in self.extra_content_types:
            if not ct or "/" not in ct or any(c in ct for c in " |;'\""):
                raise ConfigError(f"bad content type {ct!r}: expected a bare media type like a/b")
        for ex in self.exclusions:
            if not ex.path.startswith("/"):
                raise ConfigError(f"exclusion path must start with '/': {ex.path!r}")
            if not ex.rule_ids and not ex.tags:
                raise ConfigError(f"exclusion for {ex.path!r} names no rule id and no tag")

    @property
    def detection_level(self) -> int:
        return self.detection_paranoia_level or self.paranoia_level

    def allowed_content_types(self) -> tuple[str, ...]:
        fhir = tuple(FHIR_CONTENT_TYPES) if self.fhir else ()
        seen: dict[str, None] = dict.fromkeys(
            (*CRS_DEFAULT_CONTENT_TYPES, *fhir, *(c.lower() for c in self.extra_content_types))
        )
        return tuple(seen)
