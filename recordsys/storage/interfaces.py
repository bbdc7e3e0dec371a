"""The file store as the rest of the application sees it (found with ``find_service(IFileStorage)``)."""
from __future__ import annotations

from zope.interface import Interface


class IFileStorage(Interface):
    """Content-addressed storage: files are put before the transaction that references them,
    addressed by their SHA-256, never half-written under their final name."""

    def put(source):
        """Copy the file at ``source`` in; return its ``Blob`` (sha256, size)."""

    def put_bytes(data, sha256=None):
        """Store ``data`` from memory (one write, one fsync); return its ``Blob``. ``sha256``: the
        caller's digest of ``data`` when it has one."""

    def open(sha256):
        """A binary file object of a stored file (``StorageError`` when it is missing)."""

    def path(sha256):
        """The local path of a stored file (for tools that need a path: veraPDF, bagit)."""

    def exists(sha256):
        """Whether the file is stored."""

    def sweep(referenced, older_than_seconds):
        """Remove files no row references, older than the grace period; return their digests."""
