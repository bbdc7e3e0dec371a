"""The content-addressed file store: its interface, the embedded implementation, its database rows.

Files are written before the transaction that references them and removed by the sweeper when no
row does (``recordsys storage sweep``). The implementation is chosen by settings and registered as
the ``IFileStorage`` service; views, jobs and commands find it, never build it.
"""
from recordsys.storage.interfaces import IFileStorage  # noqa: F401  (the names callers use)
from recordsys.storage.local import Blob, LocalFileStorage, StorageError, copy_out  # noqa: F401


def includeme(config):
    config.register_service(LocalFileStorage(config.get_settings()["storage.path"]), IFileStorage)
