"""rules fetch: checksum and unpacking, against an archive served from 127.0.0.1 (no network)."""

from __future__ import annotations

import hashlib
import io
import tarfile
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from phiwatch.detect.waf.fetch import PINNED, FetchError, extract_release, fetch_crs, pinned
from phiwatch.errors import ConfigError


def make_archive(path: Path, members: dict[str, bytes], top: str = "coreruleset-9.9.9") -> str:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(f"{top}/{name}" if top else name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return hashlib.sha256(path.read_bytes()).hexdigest()


CRS_MEMBERS = {
    "crs-setup.conf.example": b"# ver:'OWASP_CRS/9.9.9'\n",
    "rules/REQUEST-901-INITIALIZATION.conf": b"# init\n",
    "rules/REQUEST-942-APPLICATION-ATTACK-SQLI.conf": b"# sqli\n",
}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "www"
    root.mkdir()
    handler = partial(SimpleHTTPRequestHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()
    server.server_close()


def test_fetch_verifies_and_unpacks(served: tuple[str, Path], tmp_path: Path) -> None:
    base, root = served
    digest = make_archive(root / "crs.tar.gz", CRS_MEMBERS)
    dest = fetch_crs(tmp_path / "out", "9.9.9", url=f"{base}/crs.tar.gz", sha256=digest)
    assert (dest / "rules" / "REQUEST-901-INITIALIZATION.conf").is_file()
    assert dest.name == "coreruleset-9.9.9"


def test_fetch_refuses_wrong_checksum(served: tuple[str, Path], tmp_path: Path) -> None:
    base, root = served
    make_archive(root / "crs.tar.gz", CRS_MEMBERS)
    with pytest.raises(FetchError, match="does not match"):
        fetch_crs(tmp_path / "out", "9.9.9", url=f"{base}/crs.tar.gz", sha256="0" * 64)
    assert not (tmp_path / "out" / "coreruleset-9.9.9").exists()  # nothing unpacked


def test_fetch_reports_http_errors(served: tuple[str, Path], tmp_path: Path) -> None:
    base, _ = served
    with pytest.raises(FetchError, match="404"):
        fetch_crs(tmp_path / "out", "9.9.9", url=f"{base}/missing.tar.gz", sha256="0" * 64)


@pytest.mark.parametrize(
    ("members", "top", "fragment"),
    [
        ({"README": b"x"}, "coreruleset-9.9.9", "not an OWASP CRS"),  # right shape, no rules
        ({"../evil.conf": b"x", **CRS_MEMBERS}, "", "cannot unpack"),  # path escape refused
    ],
)
def test_extract_refuses_bad_archives(
    tmp_path: Path, members: dict[str, bytes], top: str, fragment: str
) -> None:
    archive = tmp_path / "a.tar.gz"
    digest = make_archive(archive, members, top)
    with pytest.raises(FetchError, match=fragment):
        extract_release(archive, digest, tmp_path / "dest")
    assert not (tmp_path / "evil.conf").exists()


def test_pins() -> None:
    assert pinned("4.28.0").url.endswith("v4.28.0.tar.gz")
    assert all(len(r.sha256) == 64 for r in PINNED.values())
    with pytest.raises(ConfigError, match="no pinned"):
        pinned("0.0.1")
