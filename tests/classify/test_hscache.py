"""Compiled hyperscan databases kept on disk: a second process loads instead of compiling, and
anything odd about the cache (a corrupt file, an unwritable directory, the cache off) only
costs the compile, never a wrong database."""

from __future__ import annotations

from pathlib import Path

import hyperscan
import pytest

from phiwatch.classify import hscache

EXPRS = [rb"[0-9]{3}-[0-9]{2}-[0-9]{4}", rb"(?i:mrn)[ :]{0,3}[A-Z0-9]{6,10}"]
FLAGS = [0, hyperscan.HS_FLAG_SOM_LEFTMOST]
IDS = [0, 1]


class _Compiler:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> hyperscan.Database:
        self.calls += 1
        db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        db.compile(expressions=EXPRS, ids=IDS, flags=FLAGS)
        return db


def _matches(db: hyperscan.Database) -> list[tuple[int, int, int]]:
    found: list[tuple[int, int, int]] = []
    db.scan(
        b"ssn 536-22-1458, MRN: AB123456 ",
        match_event_handler=lambda i, s, e, f, c: found.append((i, s, e)),  # type: ignore[func-returns-value]
    )
    return found


def _fresh() -> list[tuple[int, int, int]]:
    """What a database compiled right now finds (the reference for a loaded one)."""
    found = _matches(_Compiler()())
    assert (0, 0, 15) in found and any(i == 1 for i, _s, _e in found)
    return found


def test_second_load_reads_from_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHIWATCH_CACHE_DIR", str(tmp_path))
    compiler = _Compiler()
    first = hscache.cached_database(EXPRS, FLAGS, IDS, compiler)
    second = hscache.cached_database(EXPRS, FLAGS, IDS, compiler)
    assert compiler.calls == 1 and len(list(tmp_path.glob("hs-*.db"))) == 1
    assert _matches(first) == _matches(second) == _fresh()


def test_changed_pattern_is_another_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHIWATCH_CACHE_DIR", str(tmp_path))
    a = hscache.database_key(EXPRS, FLAGS, IDS, hyperscan.HS_MODE_BLOCK)
    assert a != hscache.database_key([EXPRS[0], EXPRS[1] + b"x"], FLAGS, IDS, hyperscan.HS_MODE_BLOCK)
    assert a != hscache.database_key(EXPRS, [0, 0], IDS, hyperscan.HS_MODE_BLOCK)  # flags count
    assert a != hscache.database_key(EXPRS[::-1], FLAGS, IDS, hyperscan.HS_MODE_BLOCK)  # order counts


@pytest.mark.parametrize(
    ("spoil", "why"),
    [
        (lambda p: p.write_bytes(b"not a database"), "garbage"),
        (lambda p: p.write_bytes(p.read_bytes()[:100]), "truncated write"),
        (lambda p: p.write_bytes(b""), "empty file"),
    ],
)
def test_bad_file_is_compiled_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spoil: object, why: str
) -> None:
    monkeypatch.setenv("PHIWATCH_CACHE_DIR", str(tmp_path))
    compiler = _Compiler()
    hscache.cached_database(EXPRS, FLAGS, IDS, compiler)
    (path,) = tmp_path.glob("hs-*.db")
    spoil(path)  # type: ignore[operator]
    db = hscache.cached_database(EXPRS, FLAGS, IDS, compiler)
    assert compiler.calls == 2, why
    assert _matches(db) == _fresh()
    hscache.cached_database(EXPRS, FLAGS, IDS, compiler)
    assert compiler.calls == 2  # the spoilt file was rewritten, and is read now


def test_cache_off_and_unwritable_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHIWATCH_CACHE_DIR", "off")
    compiler = _Compiler()
    hscache.cached_database(EXPRS, FLAGS, IDS, compiler)
    hscache.cached_database(EXPRS, FLAGS, IDS, compiler)
    assert compiler.calls == 2
    blocker = tmp_path / "file"
    blocker.write_text("a file where the directory should be")
    monkeypatch.setenv("PHIWATCH_CACHE_DIR", str(blocker / "sub"))
    assert _matches(hscache.cached_database(EXPRS, FLAGS, IDS, compiler)) == _fresh()


def test_default_directory_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PHIWATCH_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert hscache.cache_dir() == tmp_path / "phiwatch"
