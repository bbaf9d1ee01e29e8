"""Where the rules come from: OWASP CRS v4 from a directory, or our small built-in set.

Search order for CRS: an explicit ``--crs DIR``, then ``PHIWATCH_CRS_DIR``, then Debian's
``/usr/share/modsecurity-crs``. A directory counts as CRS when it has ``rules/REQUEST-901-*.conf``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import msgspec

from phiwatch.errors import ConfigError

ENV_VAR = "PHIWATCH_CRS_DIR"
DEBIAN_DIR = Path("/usr/share/modsecurity-crs")
KIND_CRS = "crs"
KIND_BUILTIN = "builtin"
KIND_EMPTY = "empty"  # no attack rules at all: the engine's fixed cost, for benchmarks


class RuleSource(msgspec.Struct, frozen=True):
    """A located rule set. ``files`` are loaded in order after the generated setup."""

    kind: str
    version: str = ""
    directory: str = ""
    setup_file: str = ""  # crs-setup.conf(.example); empty for builtin/empty
    files: tuple[str, ...] = ()
    origin: str = ""  # how it was found: --crs, PHIWATCH_CRS_DIR, debian, builtin

    @property
    def is_full_crs(self) -> bool:
        return self.kind == KIND_CRS

    def describe(self) -> str:
        if self.kind == KIND_CRS:
            return f"OWASP CRS {self.version or '(unknown version)'} from {self.directory} ({self.origin})"
        if self.kind == KIND_BUILTIN:
            return (
                "built-in phiwatch rules (SQLi, XSS, path traversal, command injection); "
                "full OWASP CRS is NOT loaded: pass --crs DIR, set PHIWATCH_CRS_DIR or run `rules fetch`"
            )
        return "empty rule set (no attack rules)"


def _is_crs_dir(path: Path) -> bool:
    return path.is_dir() and any((path / "rules").glob("REQUEST-901-*.conf"))


def crs_version(directory: Path) -> str:
    """Read ``ver:'OWASP_CRS/x.y.z'`` from the setup or init file (first 64 KiB is enough)."""
    for name in ("crs-setup.conf.example", "crs-setup.conf"):
        version = _version_in(directory / name)
        if version:
            return version
    for init in sorted((directory / "rules").glob("REQUEST-901-*.conf")):
        version = _version_in(init)
        if version:
            return version
    return ""


def _version_in(path: Path) -> str:
    if not path.is_file():
        return ""
    with path.open("rb") as fh:
        head = fh.read(65536).decode("utf-8", "replace")
    marker = "OWASP_CRS/"
    at = head.find(marker)
    if at < 0:
        return ""
    start = at + len(marker)
    end = start
    while end < len(head) and (head[end].isalnum() or head[end] in ".-"):
        end += 1
    return head[start:end]


def crs_source(directory: Path, origin: str, *, response_rules: bool = False) -> RuleSource:
    if not _is_crs_dir(directory):
        raise ConfigError(f"{directory}: not an OWASP CRS directory (no rules/REQUEST-901-*.conf)")
    rules_dir = directory / "rules"
    patterns = ("REQUEST-*.conf", "RESPONSE-*.conf") if response_rules else ("REQUEST-*.conf",)
    files = sorted(str(p) for pat in patterns for p in rules_dir.glob(pat))
    setup = ""
    for name in ("crs-setup.conf", "crs-setup.conf.example"):
        if (directory / name).is_file():
            setup = str(directory / name)
            break
    if not setup and Path("/etc/modsecurity/crs/crs-setup.conf").is_file():  # Debian keeps it in /etc
        setup = "/etc/modsecurity/crs/crs-setup.conf"
    if not setup:
        raise ConfigError(f"{directory}: no crs-setup.conf or crs-setup.conf.example")
    return RuleSource(
        kind=KIND_CRS,
        version=crs_version(directory),
        directory=str(directory),
        setup_file=setup,
        files=tuple(files),
        origin=origin,
    )


def builtin_source() -> RuleSource:
    path = resources.files("phiwatch.detect.waf").joinpath("builtin.conf")
    return RuleSource(kind=KIND_BUILTIN, version="phiwatch-1", files=(str(path),), origin="builtin")


def empty_source() -> RuleSource:
    return RuleSource(kind=KIND_EMPTY, origin="empty")


def find_crs(
    explicit: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    debian_dir: Path | None = None,
) -> tuple[Path, str] | None:
    """The CRS directory to use and how it was found, or None. An explicit or environment path
    that is not CRS is a ConfigError (a typo must not silently fall back to fewer rules)."""
    env = os.environ if env is None else env
    if explicit:
        path = Path(explicit).expanduser()
        if not _is_crs_dir(path):
            raise ConfigError(f"--crs {path}: not an OWASP CRS directory (no rules/REQUEST-901-*.conf)")
        return path, "--crs"
    if env.get(ENV_VAR):
        path = Path(env[ENV_VAR]).expanduser()
        if not _is_crs_dir(path):
            raise ConfigError(f"{ENV_VAR}={path}: not an OWASP CRS directory")
        return path, ENV_VAR
    debian = debian_dir or DEBIAN_DIR
    if _is_crs_dir(debian):
        return debian, "debian"
    return None


def resolve_source(
    explicit: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    *,
    response_rules: bool = False,
    debian_dir: Path | None = None,
) -> RuleSource:
    """CRS when one is found, else the built-in set (whose ``describe()`` says CRS is missing)."""
    found = find_crs(explicit, env, debian_dir)
    if found is None:
        return builtin_source()
    return crs_source(found[0], found[1], response_rules=response_rules)
