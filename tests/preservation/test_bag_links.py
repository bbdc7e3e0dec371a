"""Symbolic links and special files in a bag: reported by the validator, refused by the import
before anything is read or copied."""
import os
from pathlib import Path

import bagit
import pytest
from sqlalchemy import func, select

from recordsys.core.services import require_org
from recordsys.preservation import bagging
from recordsys.preservation.bagcheck import special_entries, verify_bag
from recordsys.preservation.models import Package
from recordsys.preservation.services import import_bag

OFFICE = "000.00.01.H41"
FAKE_KEY = b"-----BEGIN PRIVATE KEY-----\nFAKEKEY-NOT-A-REAL-SECRET-0123456789\n-----END PRIVATE KEY-----\n"


@pytest.fixture
def outside_key(tmp_path):
    key = tmp_path / "outside" / "signing-key.pem"
    key.parent.mkdir()
    key.write_bytes(FAKE_KEY)
    return key


@pytest.fixture
def bag(tmp_path):
    src = tmp_path / "bag"
    (src / "van-ban").mkdir(parents=True)
    (src / "van-ban" / "15-QĐ-UBND.pdf").write_bytes(b"%PDF-1.7 quyet dinh" * 50)
    bagit.make_bag(str(src), {"Source-Organization": "UBND tỉnh Khánh Hòa"}, checksums=["sha256"])
    (src / "metadata").mkdir()
    (src / "metadata" / "ghi-chu.txt").write_text("ghi chú")  # a tag file outside the tag manifest: allowed
    assert verify_bag(src).valid
    return src


def _tag_link_to_key(bag, key):
    os.symlink(key, bag / "metadata" / "signing-key.pem")


def _payload_link_inside(bag, key):
    os.symlink("15-QĐ-UBND.pdf", bag / "data" / "van-ban" / "ban-sao.pdf")


def _tag_fifo(bag, key):
    os.mkfifo(bag / "metadata" / "pipe")


def _payload_fifo(bag, key):
    os.mkfifo(bag / "data" / "van-ban" / "pipe.pdf")


def _linked_bagit_txt(bag, key):
    (bag / "bagit.txt").rename(bag / "metadata" / "declaration")
    os.symlink("metadata/declaration", bag / "bagit.txt")


CASES = [(_tag_link_to_key, "metadata/signing-key.pem"), (_payload_link_inside, "data/van-ban/ban-sao.pdf"),
         (_tag_fifo, "metadata/pipe"), (_payload_fifo, "data/van-ban/pipe.pdf"), (_linked_bagit_txt, "bagit.txt")]


@pytest.mark.parametrize("plant,where", CASES, ids=[c[0].__name__.strip("_") for c in CASES])
def test_the_validator_reports_links_and_special_files(bag, outside_key, plant, where):
    plant(bag, outside_key)
    report = verify_bag(bag)
    assert not report.valid
    assert any(e.startswith(where) for e in report.errors), report.errors
    assert [p for p in special_entries(bag) if p.startswith(where)]


def test_a_link_to_a_key_outside_is_not_read(bag, outside_key, monkeypatch):
    _tag_link_to_key(bag, outside_key)
    real_open = open

    def watching_open(path, *args, **kwargs):
        assert Path(os.path.realpath(path)) != outside_key.resolve(), "the outside key was opened"
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", watching_open)
    assert not verify_bag(bag).valid


@pytest.mark.parametrize("plant,where", CASES, ids=[c[0].__name__.strip("_") for c in CASES])
def test_import_refuses_before_copying_anything(tx, settings, demo, bag, outside_key, plant, where, monkeypatch):
    plant(bag, outside_key)
    copied = []
    monkeypatch.setattr(bagging, "_copy_file", lambda source, target: copied.append(source))
    with tx() as session:
        org = require_org(session, OFFICE)
        with pytest.raises(bagging.PreservationError, match=where.split("/")[-1]):
            import_bag(session, settings, bag, org, "test")
    assert copied == []
    with tx() as session:
        assert session.scalar(select(func.count()).select_from(Package)) == 0
    locations = [Path(p.split("=", 1)[1]) for p in settings["preservation.locations"].split(";")]
    leftovers = [p for loc in locations if loc.exists() for p in loc.rglob("*") if p.is_file()]
    assert all(FAKE_KEY not in p.read_bytes() for p in leftovers)


def test_a_clean_bag_still_imports(tx, settings, demo, bag):
    with tx() as session:
        package = import_bag(session, settings, bag, require_org(session, OFFICE), "test")
        assert package.files == 1


def test_copying_refuses_a_file_swapped_for_a_link(tmp_path, outside_key):
    link = tmp_path / "swapped.pdf"
    os.symlink(outside_key, link)
    with pytest.raises(bagging.PreservationError, match="symbolic link"):
        bagging._copy_file(link, tmp_path / "copy.pdf")
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(bagging.PreservationError, match="not a regular file"):
        bagging._copy_file(tmp_path / "fifo", tmp_path / "copy2.pdf")
    assert not (tmp_path / "copy.pdf").exists()
