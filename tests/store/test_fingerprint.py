"""Content fingerprints of input files (phiwatch.store.fingerprint)."""

from __future__ import annotations

import gzip
import os
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phiwatch.errors import InputError
from phiwatch.store.fingerprint import CHUNK, fingerprint_bytes, fingerprint_file

HAR = b'{"log": {"version": "1.2", "entries": [{"request": {"method": "GET", "url": "https://fhir.example.org/Patient/1"}}]}}\n'


def test_same_content_under_another_name_and_time_is_the_same_source(tmp_path: Path) -> None:
    a, b = tmp_path / "monday.har", tmp_path / "copy" / "monday-backup.har"
    b.parent.mkdir()
    a.write_bytes(HAR)
    b.write_bytes(HAR)
    os.utime(b, (0, 0))  # a copy gets a different mtime
    assert fingerprint_file(a) == fingerprint_file(b) == fingerprint_bytes(HAR)


def _big(size: int) -> bytearray:
    return bytearray(random.Random(7).randbytes(size))


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (
            lambda d: d.__setitem__(len(d) // 2, d[len(d) // 2] ^ 1),
            "one bit in the middle, beyond head and tail",
        ),
        (lambda d: d.__setitem__(CHUNK, d[CHUNK] ^ 1), "the first byte of the second chunk"),
        (lambda d: d.__setitem__(-1, d[-1] ^ 1), "the last byte"),
        (lambda d: d.extend(b"\n"), "one byte appended (a log that grew)"),
        (lambda d: d.__delitem__(slice(len(d) - 1, None)), "one byte truncated"),
    ],
)
def test_any_change_is_a_new_source(tmp_path: Path, change: object, why: str) -> None:
    data = _big(3 * CHUNK + 17)  # three chunks and a bit: head and tail sampling would miss the middle
    path = tmp_path / "big.jsonl"
    path.write_bytes(data)
    before = fingerprint_file(path)
    assert before == fingerprint_bytes(bytes(data))
    change(data)  # type: ignore[operator]
    path.write_bytes(data)
    assert fingerprint_file(path) != before, why


def test_compressed_copy_is_another_source(tmp_path: Path) -> None:
    # Documented choice: the bytes on disk are hashed, so x.jsonl and x.jsonl.gz differ.
    (tmp_path / "x.jsonl").write_bytes(HAR)
    (tmp_path / "x.jsonl.gz").write_bytes(gzip.compress(HAR, mtime=0))
    assert fingerprint_file(tmp_path / "x.jsonl") != fingerprint_file(tmp_path / "x.jsonl.gz")


def test_format_names_the_size(tmp_path: Path) -> None:
    (tmp_path / "empty.log").write_bytes(b"")
    fp = fingerprint_file(tmp_path / "empty.log")
    algo, size, digest = fp.split(":")
    assert (algo, size, len(digest)) == ("blake2b", "0", 64)


def test_unreadable_input_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.har"):
        fingerprint_file(tmp_path / "missing.har")
    with pytest.raises(InputError):
        fingerprint_file(tmp_path)  # a directory


@settings(max_examples=30, deadline=None)
@given(a=st.binary(max_size=300), b=st.binary(max_size=300))
def test_file_and_bytes_agree_and_separate(
    tmp_path_factory: pytest.TempPathFactory, a: bytes, b: bytes
) -> None:
    path = tmp_path_factory.mktemp("fp") / "f"
    path.write_bytes(a)
    assert fingerprint_file(path) == fingerprint_bytes(a)
    assert (fingerprint_bytes(a) == fingerprint_bytes(b)) == (a == b)
