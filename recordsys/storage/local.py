"""The embedded file store: a local folder, content-addressed.

Files are written *before* the database transaction that references them and are addressed by
their SHA-256, so a rolled-back transaction leaves at most an unreferenced file, which
:meth:`LocalFileStorage.sweep` removes once it is old enough. A file is never half-written under
its final name: it is copied to a temporary name, fsynced, then renamed, and the folder holding it
is fsynced too (the rename itself must survive a power cut before the database says the file is there).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from zope.interface import implementer

from recordsys.errors import DomainError
from recordsys.storage.interfaces import IFileStorage

CHUNK = 1 << 20


@dataclass(frozen=True)
class Blob:
    sha256: str
    size: int


class StorageError(DomainError):
    """A storage failure, as one sentence (disk full, unreadable source, missing file)."""

    code = "storage"


@implementer(IFileStorage)
class LocalFileStorage:
    def __init__(self, root: Path | str):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise StorageError("${sha256} is not a SHA-256 digest.", mapping={"sha256": f"{sha256!r}"})
        return self.root / "sha256" / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        try:
            return self.path(sha256).open("rb")
        except FileNotFoundError:
            raise StorageError("The stored file ${sha256} is missing from ${root}.", mapping={"sha256": sha256, "root": self.root}) from None

    def put(self, source: Path) -> Blob:
        """Copy ``source`` in, hashing while copying; returns its digest and size."""
        tmp = self._tmp()
        digest, size = hashlib.sha256(), 0
        try:
            with open(source, "rb") as src, open(tmp, "wb") as dst:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    dst.write(chunk)
                    size += len(chunk)
                dst.flush()
                os.fsync(dst.fileno())
            blob = Blob(digest.hexdigest(), size)
            if self._fresh_if_present(blob):
                tmp.unlink()
                return blob
            self._publish(tmp, blob)
            return blob
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise self._error(exc, source) from None

    def put_bytes(self, data: bytes, sha256: str | None = None) -> Blob:
        """Store ``data`` (already in memory) with one write and one fsync; returns its digest and size.

        ``sha256`` is the caller's hex digest of exactly ``data`` when it has one (not computed twice).
        A file already stored under that digest is not written again, only made fresh for the sweeper.
        """
        blob = Blob(sha256 or hashlib.sha256(data).hexdigest(), len(data))
        if self._fresh_if_present(blob):
            return blob
        tmp = self._tmp()
        try:
            with open(tmp, "wb") as dst:
                dst.write(data)
                dst.flush()
                os.fsync(dst.fileno())
            self._publish(tmp, blob)
            return blob
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise self._error(exc, "<bytes>") from None

    def _tmp(self) -> Path:
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        return tmp_dir / f"{os.getpid()}-{threading.get_ident()}-{time.monotonic_ns()}.part"

    def _fresh_if_present(self, blob: Blob) -> bool:
        final = self.path(blob.sha256)
        try:
            if final.stat().st_size == blob.size:
                os.utime(final)  # fresh again: the sweeper must not take it before commit
                return True
        except FileNotFoundError:
            pass
        return False

    def _publish(self, tmp: Path, blob: Blob) -> None:
        """Rename the fsynced ``tmp`` to its final name and fsync the folders that changed."""
        final = self.path(blob.sha256)
        created = [p for p in (final.parent.parent, final.parent) if not p.is_dir()]
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, final)
        for folder in {final.parent, *(p.parent for p in created)}:
            _fsync_dir(folder)

    def _error(self, exc: OSError, source) -> StorageError:
        if exc.errno == 28:
            return StorageError("The disk holding ${root} is full; free space and try again.", mapping={"root": self.root})
        return StorageError("Cannot store ${source}: ${value}.", mapping={"source": source, "value": exc.strerror or exc})

    def sweep(self, referenced: Iterable[str], older_than_seconds: float = 24 * 3600) -> list[str]:
        """Remove stored files no row references, older than the grace period; return their digests."""
        keep = set(referenced)
        cutoff = time.time() - older_than_seconds
        removed = []
        for path in (self.root / "sha256").glob("*/*/*"):
            if path.name not in keep and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path.name)
        for part in (self.root / "tmp").glob("*.part"):
            if part.stat().st_mtime < cutoff:
                part.unlink()
        return removed


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_out(storage: IFileStorage, sha256: str, target: Path) -> None:
    with storage.open(sha256) as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst, CHUNK)
