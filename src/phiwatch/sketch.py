"""Bounded-memory sketches: HyperLogLog for distinct counts that persist and merge."""

from __future__ import annotations

import hashlib
import math

_P = 10  # 1024 registers, ~3 % standard error; exact-ish below a few hundred
_M = 1 << _P
_ALPHA = 0.7213 / (1 + 1.079 / _M)


def hash64(value: str) -> int:
    """A stable 64-bit hash (unlike ``hash()``, the same in every process)."""
    return int.from_bytes(hashlib.blake2b(value.encode("utf-8", "surrogateescape"), digest_size=8).digest())


class HyperLogLog:
    """Distinct-count estimate in 1 KiB; mergeable, serialisable to bytes."""

    __slots__ = ("registers",)

    def __init__(self, registers: bytes | None = None) -> None:
        if registers is not None and len(registers) != _M:
            raise ValueError("bad HyperLogLog register block")
        self.registers = bytearray(registers) if registers is not None else bytearray(_M)

    def add(self, value: str) -> None:
        self.add_hash(hash64(value))

    def add_hash(self, h: int) -> None:
        idx = h & (_M - 1)
        w = h >> _P
        rank = (64 - _P) - w.bit_length() + 1
        if rank > self.registers[idx]:
            self.registers[idx] = rank

    def merge(self, other: HyperLogLog) -> None:
        regs = self.registers
        for i, r in enumerate(other.registers):
            if r > regs[i]:
                regs[i] = r

    def count(self) -> int:
        regs = self.registers
        zeros = regs.count(0)
        if zeros == _M:
            return 0
        est = _ALPHA * _M * _M / sum(2.0**-r for r in regs)
        if est <= 2.5 * _M and zeros:
            est = _M * math.log(_M / zeros)
        return round(est)

    def to_bytes(self) -> bytes:
        return bytes(self.registers)
