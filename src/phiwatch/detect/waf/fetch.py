"""``rules fetch``: download a pinned OWASP CRS release archive, verify its SHA-256, unpack it.

The archive is GitHub's source tarball of the release tag (rules, setup example and regression
tests). Nothing is unpacked before the checksum matches; members that would land outside the
target (absolute paths, ``..``, links) are refused by tarfile's ``data`` filter.
"""

from __future__ import annotations

import hashlib
import shutil
import tarfile
import tempfile
from pathlib import Path

import httpx
import msgspec

from phiwatch.detect.waf.rules import _is_crs_dir
from phiwatch.errors import ConfigError, PhiwatchError


class Release(msgspec.Struct, frozen=True):
    version: str
    url: str
    sha256: str


# SHA-256 of GitHub's tag tarballs. 4.28.0 is the version our tests run against (shared/data/crs);
# 4.25.1 is the LTS line. Both digests were taken from published pins (see the final report),
# not recomputed here: this machine has no network.
PINNED: dict[str, Release] = {
    r.version: r
    for r in (
        Release(
            "4.28.0",
            "https://github.com/coreruleset/coreruleset/archive/refs/tags/v4.28.0.tar.gz",
            "d8acc96f25ad07c8e3a595a23c797324f6d77e59ddf9e26e90dd95ebd2e676ce",
        ),
        Release(
            "4.25.1",
            "https://github.com/coreruleset/coreruleset/archive/refs/tags/v4.25.1.tar.gz",
            "0539e66e7627fe71c160a644d8fb7ab6e450d53c9de208be5f95a35c70e1a154",
        ),
    )
}
DEFAULT_VERSION = "4.28.0"
MAX_ARCHIVE_BYTES = 64 << 20


class FetchError(PhiwatchError):
    """Download failed, the checksum did not match, or the archive is not a CRS release."""


def pinned(version: str) -> Release:
    try:
        return PINNED[version]
    except KeyError:
        known = ", ".join(sorted(PINNED))
        raise ConfigError(f"no pinned CRS release {version!r} (pinned: {known})") from None


def download(url: str, target: Path, *, client: httpx.Client | None = None) -> str:
    """Stream ``url`` to ``target``; returns the SHA-256 hex digest. Bounded in size."""
    digest = hashlib.sha256()
    size = 0
    own = client is None
    http = client or httpx.Client(follow_redirects=True, timeout=60.0)
    try:
        with http.stream("GET", url) as resp, target.open("wb") as out:
            if resp.status_code != 200:
                raise FetchError(f"{url}: HTTP {resp.status_code}")
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > MAX_ARCHIVE_BYTES:
                    raise FetchError(f"{url}: archive larger than {MAX_ARCHIVE_BYTES} bytes")
                digest.update(chunk)
                out.write(chunk)
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {exc}") from exc
    finally:
        if own:
            http.close()
    return digest.hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def extract_release(archive: Path, expected_sha256: str, dest: Path) -> Path:
    """Verify and unpack ``archive`` into ``dest`` (its single top folder becomes ``dest``)."""
    actual = sha256_file(archive)
    if actual.lower() != expected_sha256.lower():
        raise FetchError(f"{archive}: SHA-256 {actual} does not match the pinned {expected_sha256}")
    if dest.exists():
        raise FetchError(f"{dest}: already exists; remove it or choose another --dest")
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        try:
            with tarfile.open(archive, "r:*") as tar:
                tar.extractall(tmp, filter="data")
        except (tarfile.TarError, OSError) as exc:
            raise FetchError(f"{archive}: cannot unpack: {exc}") from exc
        tops = list(Path(tmp).iterdir())
        root = tops[0] if len(tops) == 1 and tops[0].is_dir() else Path(tmp)
        if not _is_crs_dir(root):
            raise FetchError(f"{archive}: not an OWASP CRS release (no rules/REQUEST-901-*.conf)")
        shutil.move(str(root), dest)
    return dest


def fetch_crs(
    dest_dir: Path,
    version: str = DEFAULT_VERSION,
    *,
    url: str | None = None,
    sha256: str | None = None,
    client: httpx.Client | None = None,
) -> Path:
    """Download, verify and unpack a CRS release into ``dest_dir/coreruleset-<version>``.
    ``url``/``sha256`` override the pin (a mirror, or a release newer than this build)."""
    release = pinned(version) if (url is None or sha256 is None) else Release(version, url, sha256)
    release = Release(version, url or release.url, sha256 or release.sha256)
    dest_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest_dir) as tmp:
        archive = Path(tmp) / "crs.tar.gz"
        download(release.url, archive, client=client)
        return extract_release(archive, release.sha256, dest_dir / f"coreruleset-{version}")
