"""A small generic registry: each unit folder (sources, checks, detectors, ...) owns one."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps name -> unit for one kind. A duplicate name is a bug and fails at import time."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.units: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        def add(unit: T) -> T:
            if name in self.units:
                raise ValueError(f"{self.kind} {name!r} registered twice")
            self.units[name] = unit
            return unit

        return add

    def get(self, name: str) -> T:
        from phiwatch.errors import ConfigError

        try:
            return self.units[name]
        except KeyError:
            known = ", ".join(sorted(self.units)) or "none"
            raise ConfigError(f"unknown {self.kind} {name!r} (known: {known})") from None

    def names(self) -> list[str]:
        return sorted(self.units)

    def __iter__(self) -> Iterator[str]:
        return iter(self.units)

    def __len__(self) -> int:
        return len(self.units)

    def __contains__(self, name: object) -> bool:
        return name in self.units


def import_all(package: ModuleType) -> None:
    """Import every module of a package once, so that adding a file is enough to register."""
    for mod in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        importlib.import_module(mod.name)
