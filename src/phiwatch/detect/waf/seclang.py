"""The SecLang text that wraps a rule set: engine settings, CRS setup values, FHIR routing and the
score-reporting rule. Generated from WafConfig so every knob has exactly one source.

Our own rule ids live in 10000-10199 (ModSecurity's local range, clear of CRS's 9xxxxx).
"""

from __future__ import annotations

from phiwatch.detect.waf.config import (
    FHIR_CONTENT_TYPES,
    FHIR_FIELD_EXCLUSIONS,
    FHIR_METHODS,
    FHIR_NAME_EXCLUSIONS,
    WafConfig,
)
from phiwatch.detect.waf.rules import KIND_CRS, KIND_EMPTY, RuleSource

SCORE_RULE_ID = 10099  # logs the anomaly scores at the end of phase 2 (the engine keeps TX private)
BODY_ERROR_RULE_ID = 200002  # modsecurity.conf-recommended's request-body parse failure rule
INTERNAL_IDS = frozenset({SCORE_RULE_ID})


def engine_settings(config: WafConfig) -> str:
    """modsecurity.conf-recommended, trimmed to what an in-process evaluator needs. The engine
    always runs DetectionOnly: alert-or-deny is decided by phiwatch from the score."""
    lim = config.limits
    return f"""
SecRuleEngine DetectionOnly
SecRequestBodyAccess On
SecRequestBodyLimit {max(lim.body_bytes, 1)}
SecRequestBodyNoFilesLimit {max(lim.body_bytes, 1)}
SecRequestBodyLimitAction ProcessPartial
SecRequestBodyJsonDepthLimit {lim.json_depth}
SecArgumentsLimit {lim.arguments}
SecResponseBodyAccess {"On" if config.inspect_response else "Off"}
SecResponseBodyMimeType text/plain text/html text/xml application/json application/fhir+json
SecResponseBodyLimit 524288
SecResponseBodyLimitAction ProcessPartial
SecPcreMatchLimit {lim.pcre_match_limit}
SecPcreMatchLimitRecursion {lim.pcre_match_limit}
SecAuditEngine Off
SecDebugLogLevel 0
SecArgumentSeparator &
SecCookieFormat 0
SecStatusEngine Off
"""


def body_processors(config: WafConfig) -> str:
    """Route each content type to its body processor. With ``fhir`` on, every ``+json`` and
    ``+xml`` type (FHIR, JSON Patch, merge patch) and NDJSON go to the JSON/XML parsers, so
    attacks inside resources are seen as ARGS; otherwise exactly the recommended rules."""
    if config.fhir:
        xml = r"^(?:application/(?:[a-z0-9.+-]+\+)?xml|text/xml)"
        json = r"^application/(?:(?:[a-z0-9.+-]+\+)?json|(?:x-)?ndjson)"
    else:
        xml = r"^(?:application(?:/soap\+|/)|text/)xml"
        json = r"^application/json"
    return f"""
SecRule REQUEST_HEADERS:Content-Type "@rx {xml}" \\
  "id:200000,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML"
SecRule REQUEST_HEADERS:Content-Type "@rx {json}" \\
  "id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"
SecRule REQBODY_ERROR "!@eq 0" \\
  "id:{BODY_ERROR_RULE_ID},phase:2,t:none,log,pass,msg:'Failed to parse request body.',\\
logdata:'%{{reqbody_error_msg}}',severity:2,tag:'attack-protocol',tag:'phiwatch/body-parse'"
SecRule MULTIPART_STRICT_ERROR "!@eq 0" \\
  "id:200003,phase:2,t:none,log,pass,severity:2,tag:'attack-protocol',tag:'phiwatch/multipart',\\
msg:'Multipart request body failed strict validation'"
"""


def crs_values(config: WafConfig) -> str:
    """The 900xxx-style values CRS reads at initialisation (901 only sets defaults when unset)."""
    setvars = [
        f"setvar:tx.blocking_paranoia_level={config.paranoia_level}",
        f"setvar:tx.detection_paranoia_level={config.detection_level}",
        f"setvar:tx.paranoia_level={config.paranoia_level}",  # CRS 3.x name
        f"setvar:tx.inbound_anomaly_score_threshold={config.inbound_threshold}",
        f"setvar:tx.outbound_anomaly_score_threshold={config.outbound_threshold}",
        f"setvar:tx.crs_validate_utf8_encoding={1 if config.validate_utf8 else 0}",
    ]
    if config.fhir:
        types = " ".join(f"|{ct}|" for ct in config.allowed_content_types())
        setvars.append(f"setvar:'tx.allowed_request_content_type={types}'")
        setvars.append(f"setvar:'tx.allowed_methods={' '.join(FHIR_METHODS)}'")
    elif config.extra_content_types:
        types = " ".join(f"|{ct}|" for ct in config.allowed_content_types())
        setvars.append(f"setvar:'tx.allowed_request_content_type={types}'")
    return f'SecAction "id:10001,phase:1,pass,nolog,{",".join(setvars)}"\n'


def fhir_content_type_params() -> str:
    """CRS 920470 only allows charset/boundary/... parameters; FHIR adds ``fhirVersion``. When the
    whole header is a well-formed FHIR type with fhirVersion/charset parameters, lift 920470 for
    this request only (a malformed header still trips it)."""
    media = "|".join(t.replace("+", r"\+") for t in FHIR_CONTENT_TYPES if "fhir" in t)
    return (
        r'SecRule REQUEST_HEADERS:Content-Type "@rx ^(?:'
        + media
        + r')(?:\s*;\s*(?:fhirversion|charset)\s*=\s*[\"]?[a-z0-9._-]+[\"]?)*\s*$" '
        + '"id:10002,phase:1,t:none,t:lowercase,pass,nolog,ctl:ruleRemoveById=920470"\n'
    )


def fhir_field_exclusions() -> str:
    """Take the FHIR_FIELD_EXCLUSIONS rules off their FHIR fields (after the rules are loaded)."""
    lines = []
    for ids, patterns, _why in FHIR_FIELD_EXCLUSIONS:
        for rule_id in sorted(ids):
            targets = "|".join(f"!ARGS:/{p}/" for p in patterns)
            lines.append(f'SecRuleUpdateTargetById {rule_id} "{targets}"')
    for ids, pattern, _why in FHIR_NAME_EXCLUSIONS:
        for rule_id in sorted(ids):
            lines.append(f'SecRuleUpdateTargetById {rule_id} "!ARGS_NAMES:/{pattern}/"')
    return "\n".join(lines) + "\n"


def score_rule() -> str:
    # Runs after CRS's 949 evaluation in phase 2. Logs blocking and detection scores (CRS 4 names,
    # then the CRS 3 name) so the result carries the engine's own arithmetic.
    return (
        f"SecAction \"id:{SCORE_RULE_ID},phase:2,pass,log,msg:'phiwatch anomaly score',"
        "logdata:'%{tx.blocking_inbound_anomaly_score}|%{tx.detection_inbound_anomaly_score}|"
        "%{tx.inbound_anomaly_score}'\"\n"
    )


def builtin_scoring(config: WafConfig) -> str:
    """The built-in set adds straight into the CRS 4 score names; initialise them."""
    return (
        'SecAction "id:10003,phase:1,pass,nolog,setvar:tx.blocking_inbound_anomaly_score=0,'
        f'setvar:tx.detection_inbound_anomaly_score=0,setvar:tx.inbound_anomaly_score_threshold={config.inbound_threshold}"\n'
    )


def plan(source: RuleSource, config: WafConfig, *, extra: str = "") -> list[tuple[str, str]]:
    """The load order as (kind, text-or-path) pairs: kind "text" is loaded with ``load``,
    "file" with ``load_from_uri``. ``extra`` is appended before the rules (the regression
    runner's 900005 recipe)."""
    steps: list[tuple[str, str]] = [("text", engine_settings(config)), ("text", body_processors(config))]
    if source.kind == KIND_CRS:
        steps.append(("file", source.setup_file))
        steps.append(("text", crs_values(config)))
        if config.fhir:
            steps.append(("text", fhir_content_type_params()))
    elif source.kind != KIND_EMPTY:
        steps.append(("text", builtin_scoring(config)))
    if extra:
        steps.append(("text", extra))
    steps.extend(("file", f) for f in source.files)
    if source.kind == KIND_CRS and config.fhir:
        steps.append(("text", fhir_field_exclusions()))
    if source.kind != KIND_EMPTY:
        steps.append(("text", score_rule()))
    return steps
