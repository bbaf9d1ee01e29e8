"""Regression tests our in-process libmodsecurity run cannot pass, each with the reason.

Keys are ``"<rule_id>-<test_id>"``. The runner counts these as ``overridden``: they count against
the pass rate (``RegressionReport.pass_rate``) and an override that passes after all is reported
as stale. "CRS nginx override" means CRS's own ``tests/regression/nginx-overrides.yaml`` lists the
same test for libmodsecurity3, with the same expectation we observe.
"""

from __future__ import annotations

_REQUEST_BODY_XML = (
    "libmodsecurity3 always fills REQUEST_BODY, so the rule also matches the raw body of an "
    "application/xml request (CRS nginx override: 'a libmodsecurity3 plugin could solve this')"
)

OVERRIDES: dict[str, str] = {
    "920181-1": (
        "Content-Length together with Transfer-Encoding: chunked; a real nginx answers 400 before the "
        "WAF (CRS nginx override expects status 400), in-process the rule sees both headers and fires"
    ),
    "920620-1": (
        "two Content-Type headers are both handed to the engine, as nginx does; CRS nginx override "
        "expects 920620 to fire, which it does"
    ),
    "920640-5": (
        "POST body without Content-Length: an HTTP/1.1 server never reads such a body, in-process the "
        "body is handed over anyway and the rule sees it (the test itself says it only works on HTTP/2)"
    ),
    "921140-1": (
        "header value with a bare CR: real servers reject it with 400 before the WAF (the test expects "
        "status 400); in-process the header reaches CRS and the rule correctly fires"
    ),
    **dict.fromkeys(
        ("942131-3", "942131-5", "942131-7"),
        "libmodsecurity3 logs the first part of a chained rule (CRS nginx override: 'v3 log bug')",
    ),
    **dict.fromkeys((f"944100-{t}" for t in (11, 12, 15, 16)), _REQUEST_BODY_XML),
    **dict.fromkeys((f"944110-{t}" for t in (11, 12, 15, 16)), _REQUEST_BODY_XML),
    **dict.fromkeys(
        (f"944120-{t}" for t in (6, 7, 23, 24, 40, 41, 57, 58, 74, 75, 91, 92, 108, 109, 125, 126)),
        _REQUEST_BODY_XML,
    ),
    **dict.fromkeys((f"944210-{t}" for t in (6, 7, 23, 24, 40, 41)), _REQUEST_BODY_XML),
}
