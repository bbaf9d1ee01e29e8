"""Classifier options: body caps and decompression limits (bounded work per exchange)."""

from __future__ import annotations

import msgspec

from phiwatch.errors import ConfigError


class ClassifyOptions(msgspec.Struct, frozen=True):
    max_body: int = 2 * 1024 * 1024  # bytes of a (decoded) body that are scanned; the rest is counted
    max_decompressed: int = 20 * 1024 * 1024  # a compressed body may not expand past this
    max_ratio: int = 100  # ... nor past this many times its compressed size
    max_records: int = 100_000  # NDJSON lines / CSV rows looked at per body
    scan_headers: bool = True  # request headers other than credentials are scanned too
    min_bomb_size: int = 1024 * 1024  # the ratio limit only applies past this output size

    def __post_init__(self) -> None:
        for name in ("max_body", "max_decompressed", "max_ratio", "max_records", "min_bomb_size"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"classify option {name} must be positive")
