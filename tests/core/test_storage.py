"""Content-addressed storage: atomic writes, deduplication, clear errors, the sweeper."""
import os
import time

import pytest
from click.testing import CliRunner

from recordsys.cli import main
from recordsys.storage import LocalFileStorage, StorageError


def test_put_is_content_addressed_and_deduplicated(tmp_path):
    store = LocalFileStorage(tmp_path / "files")
    source = tmp_path / "Quyết định 15-QĐ-UBND.pdf"
    source.write_bytes(b"%PDF-1.7 noi dung" * 1000)
    blob = store.put(source)
    again = store.put(source)
    assert blob == again and blob.size == 17000
    assert store.path(blob.sha256).read_bytes() == source.read_bytes()
    assert list((tmp_path / "files" / "tmp").iterdir()) == []
    with pytest.raises(StorageError, match="is missing"):
        store.open("0" * 64)
    with pytest.raises(StorageError, match="not a SHA-256"):
        store.path("../../etc/passwd")


def test_put_bytes_writes_once_and_fsyncs_the_file_and_its_folder(tmp_path, monkeypatch):
    store = LocalFileStorage(tmp_path / "files")
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(os.readlink(f"/proc/self/fd/{fd}")), real_fsync(fd)))
    data = b"<edXML>goi tin</edXML>" * 500
    blob = store.put_bytes(data)
    final = store.path(blob.sha256)
    assert final.read_bytes() == data and blob.size == len(data)
    assert synced[0].endswith(".part") and str(final.parent) in synced  # the file, then the folder of its name
    assert str(final.parent.parent) in synced  # a folder created for it is made durable in its parent too
    synced.clear()
    assert store.put_bytes(data, blob.sha256) == blob and synced == []  # already there: not written again
    assert store.put(_write(tmp_path / "same", data)) == blob
    assert list((tmp_path / "files" / "tmp").iterdir()) == []


def _write(path, data):
    path.write_bytes(data)
    return path


def test_unreadable_source_is_a_sentence(tmp_path):
    store = LocalFileStorage(tmp_path / "files")
    with pytest.raises(StorageError, match="Cannot store"):
        store.put(tmp_path / "khong-ton-tai.pdf")


def test_sweep_removes_only_old_unreferenced_files(tmp_path):
    store = LocalFileStorage(tmp_path / "files")
    kept, orphan, fresh = (tmp_path / n for n in ("a", "b", "c"))
    for i, path in enumerate((kept, orphan, fresh)):
        path.write_bytes(bytes([i]) * 10)
    blobs = [store.put(p) for p in (kept, orphan, fresh)]
    old = time.time() - 3 * 24 * 3600
    for blob in blobs[:2]:
        os.utime(store.path(blob.sha256), (old, old))
    removed = store.sweep({blobs[0].sha256}, older_than_seconds=24 * 3600)
    assert removed == [blobs[1].sha256]
    assert store.exists(blobs[0].sha256) and store.exists(blobs[2].sha256)


def test_sweep_command(settings, monkeypatch, demo):
    monkeypatch.setenv("RECORDSYS_DATABASE_URL", settings["sqlalchemy.url"])
    monkeypatch.setenv("RECORDSYS_DATA_DIR", settings["recordsys.data_dir"])
    result = CliRunner().invoke(main, ["storage", "sweep", "--older-than-hours", "0"])
    assert result.exit_code == 0 and "Đã xóa 0 tệp không còn được dùng" in result.output
