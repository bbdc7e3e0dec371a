"""The content-addressed file store: its interface, the embedded implementation, its database rows.

Files are written before the transaction that references them and removed by the sweeper when no
row does (``recordsys storage sweep``). The implementation is chosen by settings and registered as
the ``IFileStorage`` service; views, jobs and commands find it, never build it.
"""
from recordsys.storage.interfaces import IFileStorage
from recordsys.storage.local import Blob, LocalFileStorage, StorageError, copy_out  # noqa: F401


def make_storage(settings: dict) -> IFileStorage:
    """The file store the settings choose (today: the local folder ``storage.path``)."""
    return LocalFileStorage(settings["storage.path"])


def includeme(config):
    config.register_service(make_storage(config.get_settings()), IFileStorage)
