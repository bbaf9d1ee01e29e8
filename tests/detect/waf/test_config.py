from __future__ import annotations

import pytest

from phiwatch.detect.waf.config import Exclusion, WafConfig
from phiwatch.errors import ConfigError


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"paranoia_level": 0}, "paranoia level"),  # below the range
        ({"paranoia_level": 5}, "paranoia level"),  # above the range
        ({"paranoia_level": 3, "detection_paranoia_level": 2}, "detection paranoia"),  # below blocking
        ({"inbound_threshold": 0}, "thresholds"),  # would block everything
        ({"mode": "deny"}, "mode"),  # "deny" is an action, the mode is "block"
        ({"extra_content_types": ("text/plain; charset=utf-8",)}, "content type"),  # params not allowed
        ({"exclusions": (Exclusion(path="Patient/{id}", rule_ids=frozenset({1})),)}, "start with"),
        ({"exclusions": (Exclusion(path="/Patient/{id}"),)}, "names no rule"),  # excludes nothing
    ],
)
def test_bad_config_raises_at_load(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        WafConfig(**kwargs)  # type: ignore[arg-type]


def test_fhir_profile_allows_fhir_types_and_keeps_crs_defaults() -> None:
    types = WafConfig().allowed_content_types()
    for ct in ("application/fhir+json", "application/fhir+xml", "application/json-patch+json",
               "application/x-ndjson", "application/json", "multipart/form-data"):  # fmt: skip
        assert ct in types
    assert "application/fhir+json" not in WafConfig(fhir=False).allowed_content_types()


def test_detection_level_defaults_to_blocking_level() -> None:
    assert WafConfig(paranoia_level=2).detection_level == 2
    assert WafConfig(paranoia_level=2, detection_paranoia_level=4).detection_level == 4
