"""Every real-world input in shared/data/corpora/ingest through read_events with
auto-detection: the right format, no exception, events for every non-empty file, each bad
item rejected with file:line, and for the hostile variants, the good data around the damage
kept (compared with the clean original)."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from phiwatch.ingest import IngestOptions, detect_format
from tests.conftest import DATA, need_shared
from tests.ingest.util import read_all, rejected_lines, shape

ROOT = ("corpora", "ingest")
FORMAT_DIRS = {"har": "har", "nginx": "nginx", "envoy": "envoy", "alb": "alb"}
UPSTREAMINFO = "nginx/ingress-nginx-upstreaminfo.log_format"
# Known-bad items in the clean corpora: (file, rejected line/entry numbers).
KNOWN_BAD = {
    # NLB lines (3-6), ALB connection-log lines (7-9), a malformed request ("- http://...-/ ", 10)
    "alb/elastic-integrations-test-alb-mixed.log": [3, 4, 5, 6, 7, 8, 9, 10],
    "alb/filebeat-example-alb-http.log": [8, 9],  # malformed requests ("- http://...", "- - -")
    "envoy/elastic-integrations-envoy-mixed.log": [1, 7],  # TCP proxy entries
    "envoy/filebeat-envoy.log": [1],  # TCP proxy entry
    "har/mitmproxy-corrupted_har-brokenfile.har": [1],  # not a HAR at all
    "nginx/elastic-examples-apache_logs.combined.log": [8899],  # line cut in the user agent
    "nginx/filebeat-nginx-test-xff.log": [7],  # empty request ""
    "nginx/lnav-logfile_bad_access_log.log": [2],  # remote_user field missing
}


def corpus(*parts: str) -> Path:
    return need_shared(*ROOT, *parts)


def corpus_files() -> list[str]:
    base = DATA.joinpath(*ROOT)  # where need_shared() looks, PHIWATCH_SHARED included
    if not base.exists():
        return ["<missing>"]  # need_shared() then skips (fails in CI)
    return sorted(
        str(p.relative_to(base))
        for d in FORMAT_DIRS
        for p in (base / d).iterdir()
        if p.is_file() and not p.name.endswith(".log_format")
    )


def options_for(rel: str) -> IngestOptions:
    if "upstreaminfo" in rel:
        return IngestOptions(nginx_log_format=corpus(UPSTREAMINFO).read_text())
    return IngestOptions()


@pytest.mark.parametrize("rel", corpus_files())
def test_corpus_file(rel: str) -> None:
    path = corpus(*rel.split("/"))
    expected_fmt = FORMAT_DIRS[rel.split("/")[0]]
    assert detect_format(path) == expected_fmt
    events, report = read_all(path, options_for(rel))
    assert report.by_format[expected_fmt] == len(events) == report.events
    assert rejected_lines(report) == KNOWN_BAD.get(rel, [])
    for rejected in report.rejected_samples:
        assert rejected.source == str(path) and rejected.line >= 1 and rejected.reason
    if rel not in ("har/mitmproxy-corrupted_har-brokenfile.har",):
        assert events, "a non-empty real input must give events"
    for ev in events:
        assert ev.source == str(path) and ev.line >= 1
        assert ev.request.method and ev.request.path
        assert ev.request.host == ev.request.host.lower()
        assert ev.ts > 0 or expected_fmt == "har"


def test_har_entry_counts_match_a_full_json_parse() -> None:
    for path in sorted(corpus("har").glob("*.har")):
        try:
            doc = msgspec.json.decode(path.read_bytes().removeprefix(b"\xef\xbb\xbf"))
        except msgspec.DecodeError:
            continue
        if not isinstance(doc, dict):
            continue
        entries = doc["log"]["entries"] if "log" in doc else [doc]
        events, _ = read_all(path)
        assert len(events) == len(entries), path.name
        assert [e.request.method for e in events] == [
            (e["request"].get("method") or e["request"]["postData"]["method"]) for e in entries
        ]


def test_upstreaminfo_log_format_reads_the_extra_fields() -> None:
    path = corpus("nginx", "filebeat-ingress-nginx-upstreaminfo.log")
    events, report = read_all(path, options_for("nginx/x-upstreaminfo"))
    combined, _ = read_all(path)
    assert report.rejected == 0 and len(events) == len(combined)
    first = events[0]
    assert (first.request.method, first.request.path, first.response.status) == ("POST", "/products", 200)
    assert first.request.body_size == 89 and first.response.duration_ms == pytest.approx(1.0)


# --- hostile variants, each against its clean original --------------------------------


def test_one_broken_har_entry() -> None:
    clean, _ = read_all(corpus("har", "mitmproxy-har_files-chrome.har"))
    events, report = read_all(corpus("hostile", "chrome-one-broken-entry.har"))
    assert rejected_lines(report) == [2]
    assert [shape(e) for e in events] == [shape(clean[0]), shape(clean[2])]


def test_half_a_har_keeps_every_complete_entry() -> None:
    clean, _ = read_all(corpus("har", "haralyzer-cnn-chrome.har"))
    events, report = read_all(corpus("hostile", "cnn-chrome-truncated.har"))
    assert 0 < len(events) < len(clean)
    assert [shape(e) for e in events] == [shape(e) for e in clean[: len(events)]]
    assert rejected_lines(report) == [len(events) + 1] and "truncated" in report.rejected_samples[0].reason


def test_gzipped_har_of_five_copies() -> None:
    clean, _ = read_all(corpus("har", "pagexray-requests-expressen.har"))
    events, report = read_all(corpus("hostile", "expressen-x5.har.gz"))
    assert report.rejected == 0 and len(events) == 5 * len(clean)
    assert [shape(e) for e in events[: len(clean)]] == [shape(e) for e in clean]


def test_truncated_gzip_log() -> None:
    clean, _ = read_all(corpus("nginx", "elastic-examples-apache_logs.combined.log"))
    events, report = read_all(corpus("hostile", "apache_logs-truncated.log.gz"))
    assert [shape(e) for e in events] == [shape(e) for e in clean[: len(events)]]
    assert len(events) > 3000
    assert rejected_lines(report) == [len(events) + 1] and "gzip" in report.rejected_samples[0].reason


def test_invalid_utf8_log_keeps_every_line() -> None:
    clean, _ = read_all(corpus("nginx", "filebeat-nginx-access.log"))
    events, report = read_all(corpus("hostile", "filebeat-nginx-access-invalid-utf8.log"))
    assert report.rejected == 0 and len(events) == len(clean)
    assert [e.ts for e in events] == [e.ts for e in clean]
    assert any("\ufffd" in e.request.path or "\ufffd" in e.user_agent for e in events)


def test_200k_character_line_is_rejected_alone() -> None:
    clean, _ = read_all(corpus("nginx", "filebeat-nginx-access.log"))
    events, report = read_all(corpus("hostile", "nginx-200k-char-line.log"))
    assert rejected_lines(report) == [7] and "longer than" in report.rejected_samples[0].reason
    assert [shape(e) for e in events] == [shape(e) for e in clean]


def test_crlf_envoy_equals_the_lf_original() -> None:
    clean, _ = read_all(corpus("envoy", "docs-default-format.log"))
    events, report = read_all(corpus("hostile", "envoy-docs-crlf.log"))
    assert report.rejected == 0 and [shape(e) for e in events] == [shape(e) for e in clean]


def test_empty_file() -> None:
    events, report = read_all(corpus("hostile", "empty.log"))
    assert events == [] and report.rejected == 0
