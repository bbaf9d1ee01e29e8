"""Opening inputs: gzip read transparently (by magic bytes, not by extension), and a gzip
stream that ends early (truncated or corrupt) turns into a clean end of file plus a recorded
error, so readers keep everything decoded before the break."""

from __future__ import annotations

import gzip
import io
import os
import zlib
from pathlib import Path
from typing import BinaryIO

from phiwatch.errors import InputError

GZIP_MAGIC = b"\x1f\x8b"
_BUFFER = 256 * 1024


class GzipRaw(io.RawIOBase):
    """Raw decompressed view of a gzip file that never raises on a damaged stream:
    the first decompression error is kept in ``error`` and reads return EOF from there."""

    def __init__(self, fileobj: BinaryIO) -> None:
        super().__init__()
        self.fileobj = fileobj
        self._gz = gzip.GzipFile(fileobj=fileobj, mode="rb")
        self.error: str | None = None
        self.reported = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self.error is not None:
            return 0
        try:
            # read1: one decompression step at a time, so the data decoded before a break
            # is handed out before the error (read() would drop its partial result)
            data = self._gz.read1(len(buffer))
            buffer[: len(data)] = data
            return len(data)
        except EOFError:
            self.error = "gzip stream truncated (compressed data ends before the end-of-stream marker)"
        except (gzip.BadGzipFile, zlib.error, OSError) as exc:
            self.error = f"corrupt gzip stream ({exc})"
        return 0

    def close(self) -> None:
        if not self.closed:
            self._gz.close()
            self.fileobj.close()
        super().close()


def open_input(path: str | Path) -> BinaryIO:
    """Open ``path`` for binary reading, gunzipping when it starts with the gzip magic.
    A missing, unreadable or directory path raises ``InputError`` with a one-line reason."""
    name = str(path)
    if os.path.isdir(name):
        raise InputError(name, None, "is a directory, not a file")
    try:
        raw = open(name, "rb")  # noqa: SIM115 - the caller owns and closes the stream
    except FileNotFoundError:
        raise InputError(name, None, "no such file") from None
    except PermissionError:
        raise InputError(name, None, "permission denied") from None
    except OSError as exc:
        raise InputError(name, None, f"cannot open: {exc.strerror or exc}") from None
    try:
        magic = raw.read(2)
        raw.seek(0)
    except OSError as exc:
        raw.close()
        raise InputError(name, None, f"cannot read: {exc.strerror or exc}") from None
    if magic == GZIP_MAGIC:
        return io.BufferedReader(GzipRaw(raw), buffer_size=_BUFFER)
    return raw


def stream_error(stream: BinaryIO) -> str | None:
    """The decompression error of a stream from ``open_input`` that no reader reported yet."""
    raw = getattr(stream, "raw", None)
    if isinstance(raw, GzipRaw) and raw.error is not None and not raw.reported:
        return raw.error
    return None


def mark_error_reported(stream: BinaryIO) -> None:
    raw = getattr(stream, "raw", None)
    if isinstance(raw, GzipRaw):
        raw.reported = True


def consumed_bytes(stream: BinaryIO) -> int:
    """Bytes of the on-disk (possibly compressed) file consumed so far, for progress bars."""
    raw = getattr(stream, "raw", None)
    try:
        if isinstance(raw, GzipRaw):
            return raw.fileobj.tell()
        return stream.tell()
    except (OSError, ValueError):
        return 0


def read_head(stream: BinaryIO, size: int = 64 * 1024) -> bytes:
    """Up to ``size`` bytes from the start (several reads: one gzip read may return less)."""
    parts: list[bytes] = []
    got = 0
    while got < size:
        chunk = stream.read(size - got)
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)
