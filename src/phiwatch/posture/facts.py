"""Bounded per-endpoint and per-host facts the observe stage keeps for the checks.

Only counts, names (header, parameter, field) and keyed or one-way hashes are kept: never a
raw value from a body, a credential or an identifier, so the persisted state is PHI-free.
"""

from __future__ import annotations

import msgspec

from phiwatch.model import EndpointKey


class EndpointFacts(msgspec.Struct, omit_defaults=True):
    requests: int = 0
    ok: int = 0  # 2xx responses
    schemes: dict[str, int] = msgspec.field(default_factory=dict)
    anon_ok_phi: int = 0  # 2xx with PHI in the response, no credential sent
    cred_in_url: dict[str, int] = msgspec.field(default_factory=dict)  # query parameter -> count
    cleartext_cred: dict[str, int] = msgspec.field(default_factory=dict)  # auth kind over http
    jwt_alg_none: int = 0
    jwt_no_exp: int = 0
    jwt_max_lifetime_s: float = 0.0
    throttled: int = 0  # 429 responses (or 503 with Retry-After)
    peak_rate: int = 0  # most requests by one client in one minute
    rate_windows: dict[str, tuple[int, int]] = msgspec.field(default_factory=dict)  # actor -> (minute, n)
    page_param: str = ""
    page_unbounded: int = 0  # responses returning more items than the cap, as asked
    page_max_items: int = 0
    unpaged: dict[str, int] = msgspec.field(default_factory=dict)  # "_include=*" etc. -> count
    unpaged_max_entries: int = 0
    large_responses: int = 0
    max_response_bytes: int = 0
    admin_non_admin_ok: int = 0
    url_params: dict[str, int] = msgspec.field(default_factory=dict)  # params carrying URLs
    trace_ok: int = 0
    error_signatures: dict[str, int] = msgspec.field(default_factory=dict)
    cors_wildcard_creds: int = 0
    request_phi: dict[str, int] = msgspec.field(default_factory=dict)  # categories sent by the client
    response_phi: dict[str, int] = msgspec.field(default_factory=dict)
    url_phi: dict[str, int] = msgspec.field(default_factory=dict)
    numeric_ids: int = 0
    other_ids: int = 0
    id_min: int = -1
    id_max: int = -1
    id_hashes: list[int] = msgspec.field(default_factory=list)  # hash64 of distinct ids, capped
    objects: dict[str, list[str]] = msgspec.field(default_factory=dict)  # object hash -> patient hashes
    shared_objects: int = 0  # objects read by >= N foreign patient contexts
    export_no_system_ok: int = 0
    everything_no_patient_ok: int = 0
    non_smart_phi_ok: dict[str, int] = msgspec.field(default_factory=dict)  # auth kind -> count
    response_fields: dict[str, int] = msgspec.field(default_factory=dict)
    request_fields: dict[str, int] = msgspec.field(default_factory=dict)  # write bodies, 2xx only
    phi_fields: dict[str, int] = msgspec.field(default_factory=dict)  # last key of PhiHit.field
    key_samples: int = 0
    write_key_samples: int = 0


class HostFacts(msgspec.Struct, omit_defaults=True):
    responses: int = 0  # responses with headers captured
    https_responses: int = 0
    no_hsts: int = 0  # https responses without Strict-Transport-Security
    no_nosniff: int = 0  # responses without X-Content-Type-Options: nosniff
    http_requests: int = 0
    server_versions: dict[str, int] = msgspec.field(default_factory=dict)  # header value -> count
    smart_tokens: int = 0  # requests with SMART-scoped JWTs
    smart_config_ok: int = 0
    smart_config_missing: int = 0  # 404/410 on /.well-known/smart-configuration
    smart_config_path: str = ""


class ObservedState(msgspec.Struct):
    version: int
    endpoints: list[tuple[EndpointKey, EndpointFacts]]
    hosts: dict[str, HostFacts]
    dropped: int = 0
