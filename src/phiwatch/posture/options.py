"""Thresholds the posture checks use; every one has a sensible default and can be overridden."""

from __future__ import annotations

import msgspec


class PostureOptions(msgspec.Struct, frozen=True, kw_only=True):
    max_token_lifetime_s: int = 24 * 3600  # a JWT living longer than this is flagged
    rate_per_minute: int = 120  # one client above this per minute should meet a 429
    auth_flow_rate_per_minute: int = 10  # login/OTP/reset attempts per client per minute
    large_response_bytes: int = 1 << 20  # one response above this is "very large"
    page_size_cap: int = 500  # a server returning more items than this ignores a cap
    unpaged_min_entries: int = 200  # _include/$everything bundles above this need paging
    sequential_min_ids: int = 10  # distinct numeric ids needed before judging guessability
    sequential_max_gap: float = 50.0  # mean gap between ids at or below this is guessable
    shared_object_patients: int = 2  # distinct foreign patient contexts reading one object
    first_party_domains: tuple[str, ...] = ()  # extra domains that belong to the organisation
    body_scan_bytes: int = 64 * 1024  # error-signature scan reads at most this much of a body
    key_samples: int = 20  # JSON bodies per endpoint walked for field names
    max_endpoints: int = 50_000  # observed endpoints kept; more are counted as dropped
    max_actors_per_endpoint: int = 512  # rate windows kept per endpoint
    max_objects_per_endpoint: int = 4_096  # objects tracked for shared-object reads
    max_fields: int = 200  # distinct field names kept per endpoint and direction
