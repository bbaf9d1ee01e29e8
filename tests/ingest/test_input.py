"""open_input / detect_format / read_events: gzip by magic, detection order, errors, progress."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from phiwatch.errors import ConfigError, InputError
from phiwatch.ingest import (
    DETECT_ORDER,
    SOURCES,
    IngestOptions,
    IngestReport,
    _input,
    detect_format,
    open_input,
    read_events,
)
from phiwatch.ingest._base import MAX_REJECTED_SAMPLES
from tests.ingest.util import read_all, read_bytes, rejected_lines

NGINX = b'203.0.113.7 - - [01/Mar/2026:13:00:00 +0100] "GET /r4/Patient/%d HTTP/1.1" 200 15 "-" "curl/8"\n'
SAMPLES = {
    "har": b'{"log": {"version": "1.2", "entries": []}}',
    "jsonl": b'{"ts": 1, "request": {"method": "GET", "url": "/"}}\n',
    "alb": b"http 2018-07-02T22:23:00.186641Z app/lb/1 1.2.3.4:1 - 0 0 0 200 200 1 1 "
    b'"GET http://a.example:80/ HTTP/1.1" "-" - -\n',
    "envoy": b'[2016-04-15T20:17:00.310Z] "GET / HTTP/1.1" 200 - 0 1 1 1 "-" "-" "-" "a" "-"\n',
    "nginx": NGINX % 1,
}


def test_every_source_has_a_place_in_the_detection_order() -> None:
    assert sorted(DETECT_ORDER) == SOURCES.names()


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
def test_detect_plain_and_gzip(tmp_path: Path, fmt: str) -> None:
    plain = tmp_path / "plain.gz"  # a misleading extension: content decides
    plain.write_bytes(SAMPLES[fmt])
    packed = tmp_path / "packed.log"
    packed.write_bytes(gzip.compress(SAMPLES[fmt]))
    assert detect_format(plain) == fmt
    assert detect_format(packed) == fmt


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
def test_only_its_own_sniffer_claims_each_sample(fmt: str) -> None:
    claimed = [name for name in DETECT_ORDER if SOURCES.get(name).sniff(SAMPLES[fmt])]
    assert claimed == [fmt]


def test_unknown_format_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"dear diary\n")
    with pytest.raises(InputError, match=r"notes\.txt: unrecognised input format"):
        detect_format(path)
    with pytest.raises(InputError):
        read_events(path, IngestReport())


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing.log", "no such file"),  # missing
        (lambda p: p, "is a directory"),  # a directory
    ],
)
def test_unreadable_inputs_raise_one_line_input_error(tmp_path: Path, make: object, message: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(InputError, match=message) as info:
        read_events(path, IngestReport())
    assert "\n" not in str(info.value) and str(path) in str(info.value)
    with pytest.raises(InputError):
        open_input(path)


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (PermissionError(13, "Permission denied"), "permission denied"),  # chmod 000 (tests may run as root)
        (OSError(5, "Input/output error"), "cannot open: Input/output error"),  # a failing disk
    ],
)
def test_open_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, message: str) -> None:
    path = tmp_path / "secret.log"
    path.write_bytes(NGINX % 1)

    def refuse(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(_input, "open", refuse, raising=False)
    with pytest.raises(InputError, match=message):
        read_events(path, IngestReport())


def test_empty_file_is_no_events_and_no_error(tmp_path: Path) -> None:
    for data in (b"", b"\n\n", gzip.compress(b"")):
        events, report = read_bytes(tmp_path, data, "empty.log")
        assert events == [] and report.rejected == 0 and report.events == 0


def test_truncated_gzip_keeps_decoded_lines_and_rejects_once(tmp_path: Path) -> None:
    lines = b"".join(NGINX % i for i in range(1, 3001))
    packed = gzip.compress(lines)
    events, report = read_bytes(tmp_path, packed[: len(packed) * 2 // 3], "cut.log.gz")
    assert len(events) > 1000
    assert [e.line for e in events] == list(range(1, len(events) + 1))  # nothing lost before the break
    assert report.rejected == 1
    rejected = report.rejected_samples[0]
    assert rejected.line == len(events) + 1 and "gzip" in rejected.reason


def test_truncated_gzip_on_a_line_boundary(tmp_path: Path) -> None:
    packed = gzip.compress(NGINX % 1 + NGINX % 2)
    events, report = read_bytes(tmp_path, packed[:-8], "nocrc.gz")  # whole data, trailer missing
    assert [e.line for e in events] == [1, 2]
    assert rejected_lines(report) == [3] and "gzip" in report.rejected_samples[0].reason


def test_corrupt_gzip_is_one_rejection(tmp_path: Path) -> None:
    packed = bytearray(gzip.compress(b"".join(NGINX % i for i in range(1, 200))))
    packed[400:420] = b"\x00" * 20
    events, report = read_bytes(tmp_path, bytes(packed), "bad.gz", IngestOptions(fmt="nginx"))
    assert report.rejected >= 1 and any("gzip" in r.reason for r in report.rejected_samples)
    assert all(e.request.path.startswith("/r4/Patient/") for e in events)


def test_forced_format_and_unknown_name(tmp_path: Path) -> None:
    path = tmp_path / "a.log"
    path.write_bytes(NGINX % 1)
    events, report = read_all(path, IngestOptions(fmt="envoy"))
    assert events == [] and rejected_lines(report) == [1]  # forced: every line judged as Envoy
    with pytest.raises(ConfigError, match="unknown source format"):
        read_events(path, IngestReport(), IngestOptions(fmt="pcap"))


def test_report_is_shared_and_samples_are_capped(tmp_path: Path) -> None:
    report = IngestReport()
    good = tmp_path / "good.log"
    good.write_bytes(NGINX % 1 + NGINX % 2)
    bad = tmp_path / "bad.log"
    bad.write_bytes(NGINX % 1 + b"junk\n" * 500)
    assert len(list(read_events(good, report))) == 2
    assert len(list(read_events(bad, report))) == 1
    assert (report.events, report.rejected, report.by_format["nginx"]) == (3, 500, 3)
    assert len(report.rejected_samples) == MAX_REJECTED_SAMPLES
    assert str(report.rejected_samples[0]) == f"{bad}:2: line does not match the nginx log format"


def test_progress_reports_on_disk_bytes(tmp_path: Path) -> None:
    path = tmp_path / "big.log.gz"
    path.write_bytes(gzip.compress(b"".join(NGINX % i for i in range(1, 10_001))))
    seen: list[int] = []
    n = sum(1 for _ in read_events(path, IngestReport(), progress=seen.append))
    assert n == 10_000
    assert len(seen) >= 2 and seen == sorted(seen)
    assert seen[-1] == path.stat().st_size  # compressed bytes, all consumed at the end


def test_rejected_reasons_never_quote_phi(tmp_path: Path) -> None:
    """Logs of a health API are PHI: a rejected line's excerpt drops the query, masks digits."""
    log = tmp_path / "access.log"
    good = '10.0.0.1 - - [01/Jan/2026:10:00:00 +0000] "GET /a HTTP/1.1" 200 5 "-" "curl/8"\n'
    bad = '10.0.0.1 - - [01/Jan/2026:10:00:00 +0000] "GET" 200 5 "-" "curl/8"\n'
    bad2 = '10.0.0.1 - - [01/Jan/2026:10:00:00 +0000] "XX 123-45-6789 /p?ssn=123-45-6789" 200 5 "-" "c"\n'
    log.write_text(good + bad + bad2)
    report = IngestReport()
    list(read_events(log, report))
    assert report.rejected >= 1
    text = " ".join(str(r) for r in report.rejected_samples)
    assert "6789" not in text and "ssn=" not in text
