"""Packages in two locations: stored only when every copy verifies, audited, repaired, exported,
imported; kills leave nothing half-written; files over 4 GB."""
import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import bagit
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from recordsys.cli import main
from recordsys.core import audit
from recordsys.core.services import require_org
from recordsys.preservation import bagging
from recordsys.preservation.bagcheck import verify_bag
from recordsys.preservation.models import FixityCheck, Package, PreservationEvent
from recordsys.preservation.services import store_package
from tests.common.packages import store_test_package as _store

OFFICE = "000.00.01.H41"


def _locations(settings):
    return [Path(p.split("=", 1)[1]) for p in settings["preservation.locations"].split(";")]


def test_store_writes_two_verified_identical_copies(tx, settings, demo, originals):
    package_id, fingerprint = _store(tx, settings, originals)
    copies = [loc / "000.00.01.H41.2026.01.TCCB" for loc in _locations(settings)]
    for copy in copies:
        report = verify_bag(copy)
        assert report.valid and report.fingerprint == fingerprint and report.files == 3
        info = bagit.Bag(str(copy)).info
        assert info["External-Identifier"] == "000.00.01.H41.2026.01.TCCB"
        assert info["Source-Organization"] == "Văn phòng Ủy ban nhân dân tỉnh Khánh Hòa"
        assert "Payload-Oxum" in info and "Bagging-Date" in info
        assert (copy / "manifest-sha512.txt").exists() and (copy / "tagmanifest-sha512.txt").exists()
        assert b"premis" in (copy / "metadata" / "premis.xml").read_bytes()
        assert not list(copy.parent.glob(".tmp-*"))
    with tx() as session:
        package = session.get(Package, package_id)
        assert [c.status for c in package.copies] == ["ok", "ok"] and audit.verify(session).intact


def _audit(settings, *args):
    env = {"RECORDSYS_DATABASE_URL": settings["sqlalchemy.url"], "RECORDSYS_DATA_DIR": settings["recordsys.data_dir"]}
    result = CliRunner(env=env).invoke(main, ["preservation", "audit", "--json", *args], catch_exceptions=False)
    return result.exit_code, [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.parametrize("damage", ["edit", "truncate", "remove", "add", "swap"])
def test_audit_catches_damage_and_repairs_it(tx, settings, demo, originals, tmp_path, damage):
    _store(tx, settings, originals)
    code, rows = _audit(settings, "--all")
    assert code == 0 and [r["ok"] for r in rows] == [True, True]
    victim = _locations(settings)[1] / "000.00.01.H41.2026.01.TCCB"
    target = victim / "data/originals/0001-15-QĐ-UBND.pdf"
    if damage == "edit":
        data = bytearray(target.read_bytes())
        data[100] ^= 1  # one changed bit
        target.write_bytes(bytes(data))
    elif damage == "truncate":
        os.truncate(target, 10)
    elif damage == "remove":
        target.unlink()
    elif damage == "add":
        (victim / "data/originals/la.pdf").write_bytes(b"x")
    else:  # another valid bag in its place
        shutil.rmtree(victim)
        other = tmp_path / "other"
        (other / "x").mkdir(parents=True)
        (other / "x" / "a.pdf").write_bytes(b"khac")
        bagit.make_bag(str(other), checksums=["sha256", "sha512"])
        shutil.copytree(other, victim)
    code, rows = _audit(settings, "--all")
    assert code == 1
    bad = [r for r in rows if not r["ok"]]
    assert len(bad) == 1 and bad[0]["location"] == "secondary" and bad[0]["repaired"] and bad[0]["problems"]
    assert verify_bag(victim).valid
    code, rows = _audit(settings, "--all")
    assert code == 0
    with tx() as session:
        types = [e.event_type for e in session.scalars(select(PreservationEvent).order_by(PreservationEvent.id))]
        assert "repair" in types and types.count("fixity check") == 6
        assert session.scalar(select(func.count()).select_from(FixityCheck)) == 6


def test_due_audit_checks_nothing_new(tx, settings, demo, originals):
    _store(tx, settings, originals)
    code, rows = _audit(settings)
    assert code == 0 and rows == []  # first checks are spread over the coming year


def _leftovers(settings):
    return sorted(p.name for location in _locations(settings) for p in location.iterdir())


def test_full_disk_while_copying_records_nothing_and_leaves_nothing(tx, settings, demo, originals, monkeypatch):
    secondary = _locations(settings)[1]
    real_copy = bagging._copy_file

    def filling_disk(source, target):
        if secondary in target.parents:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(b"%PDF-1.7 nua chung")  # half written, then the disk is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
        real_copy(source, target)

    monkeypatch.setattr(bagging, "_copy_file", filling_disk)
    with pytest.raises(bagging.PreservationError, match="The disk is full while copying package"):
        _store(tx, settings, originals)
    with tx() as session:
        assert session.scalar(select(func.count()).select_from(Package)) == 0
    assert _leftovers(settings) == []


def test_unreadable_original_is_a_clear_error(tx, settings, demo, originals, tmp_path):
    gone = bagging.PayloadFile(tmp_path / "khong-co.pdf", "originals/khong-co.pdf")
    with pytest.raises(bagging.PreservationError, match="No such file or directory.*khong-co.pdf"):
        _store(tx, settings, [*originals, gone])
    assert _leftovers(settings) == []


def test_rolled_back_transaction_leaves_no_copy(tx, settings, demo, originals):
    with pytest.raises(RuntimeError), tx() as session:
        org = require_org(session, OFFICE)
        store_package(session, settings, organization=org, name="hs-huy", external_identifier="hs-huy",
                      source="dossier", source_id=1, payload=originals, actor="luutru", tag_files={})
        assert _leftovers(settings) == [".lock-hs-huy", ".lock-hs-huy", ".tmp-hs-huy", ".tmp-hs-huy"]
        raise RuntimeError("a later step of the hand-over failed")
    assert _leftovers(settings) == []


KILL_SCRIPT = """
import os, sys
from pathlib import Path
from recordsys.config import load_settings
from recordsys.core.services import require_org
from recordsys.db import get_engine, get_session_factory, transaction_scope
from recordsys.preservation import bagging
from recordsys.preservation.services import store_package
from tests.common.packages import store_test_package as _store

settings = load_settings({"sqlalchemy.url": sys.argv[1], "recordsys.data_dir": sys.argv[2]})
when = sys.argv[3]
secondary = settings["preservation.locations"].split(";")[1].split("=", 1)[1]
real_copy = bagging._copy_file
def dying_copy(source, target):
    if when == "copying" and str(target).startswith(secondary):
        os._exit(9)  # killed while writing the second copy
    real_copy(source, target)
bagging._copy_file = dying_copy
if when == "committed":
    bagging.Staged.publish = lambda self: os._exit(9)  # killed right after the commit
payload = [bagging.PayloadFile(Path(p), Path(p).name) for p in sys.argv[4:]]
with transaction_scope(get_session_factory(get_engine(settings))) as session:
    store_package(session, settings, organization=require_org(session, "000.00.01.H41"), name="hs-bi-giet",
                  external_identifier="hs-bi-giet", source="dossier", source_id=1, payload=payload,
                  tag_files={}, actor="luutru")
"""


@pytest.mark.parametrize("when", ["copying", "committed"])
def test_kill_leaves_nothing_half_written_and_audit_recovers(tx, settings, demo, originals, when):
    args = [settings["sqlalchemy.url"], settings["recordsys.data_dir"], when, *[str(o.source) for o in originals]]
    done = subprocess.run([sys.executable, "-c", KILL_SCRIPT, *args])
    assert done.returncode == 9
    assert "hs-bi-giet" not in _leftovers(settings)  # never under its final name
    with tx() as session:
        recorded = session.scalar(select(func.count()).select_from(Package))
    assert recorded == (1 if when == "committed" else 0)
    code, rows = _audit(settings, "--all")  # the audit starts by recovering the locations
    assert code == 0
    if when == "committed":  # recorded: the staged copies are validated and published
        assert _leftovers(settings) == ["hs-bi-giet", "hs-bi-giet"] and [r["ok"] for r in rows] == [True, True]
    else:  # not recorded: removed, and the package can be stored again
        assert _leftovers(settings) == [] and rows == []
        _store(tx, settings, originals, name="hs-bi-giet")


def test_recover_leaves_a_copy_being_written_alone(tmp_path, originals):
    location = tmp_path / "kho"
    staged, report = bagging.build_bag(location, "hs-dang-ghi", [bagging.PayloadFile(originals[0].source, "a.pdf")],
                                       {}, {})
    assert bagging.recover(location, lambda name: report.fingerprint) == []  # locked by this process
    with pytest.raises(bagging.PreservationError, match="being written"):
        bagging.stage_copy(staged.path, location, report.fingerprint, "hs-dang-ghi")
    staged.publish()
    assert sorted(p.name for p in location.iterdir()) == ["hs-dang-ghi"]


def test_export_and_import(tx, settings, demo, originals, tmp_path):
    package_id, _ = _store(tx, settings, originals)
    env = {"RECORDSYS_DATABASE_URL": settings["sqlalchemy.url"], "RECORDSYS_DATA_DIR": settings["recordsys.data_dir"]}
    runner = CliRunner(env=env)
    out = runner.invoke(main, ["preservation", "export", str(package_id), "--out", str(tmp_path / "doc-gia"),
                               "--as", "nguoi-doc"])
    assert out.exit_code == 0, out.output
    import zipfile

    with zipfile.ZipFile(out.stdout.strip()) as zf:
        assert any(n.endswith("0001-15-QĐ-UBND.pdf") for n in zf.namelist())
    foreign = tmp_path / "foreign"
    (foreign / "hs").mkdir(parents=True)
    (foreign / "hs" / "van-ban.pdf").write_bytes(b"%PDF ngoai")
    bagit.make_bag(str(foreign), {"External-Identifier": "H41-31.2020.07.TCCB"}, checksums=["sha256"])
    imported = runner.invoke(main, ["preservation", "import", str(foreign), "--org", OFFICE])
    assert imported.exit_code == 0, imported.output
    (foreign / "data/hs/van-ban.pdf").write_bytes(b"sua")
    refused = runner.invoke(main, ["preservation", "import", str(foreign), "--org", OFFICE])
    assert refused.exit_code == 1 and "không hợp lệ" in refused.output
    listing = runner.invoke(main, ["preservation", "list", "--json"])
    identifiers = [json.loads(line)["identifier"] for line in listing.stdout.splitlines()]
    assert identifiers == ["000.00.01.H41.2026.01.TCCB", "H41-31.2020.07.TCCB"]
    with tx() as session:
        actions = [e.action for e in session.scalars(select(audit.AuditEvent).order_by(audit.AuditEvent.seq))]
        assert "package.export" in actions


@pytest.mark.slow
def test_file_over_4gb(tmp_path):
    bag = tmp_path / "lon"
    (bag / "data").mkdir(parents=True)
    big = bag / "data" / "video-hoi-nghi.mp4"
    size = 4 * 1024 ** 3 + 12345
    with open(big, "wb") as fh:
        fh.truncate(size)  # sparse
    digest = hashlib.sha256()
    zeros = bytes(8 << 20)
    left = size
    while left:
        n = min(left, len(zeros))
        digest.update(zeros[:n])
        left -= n
    (bag / "bagit.txt").write_text("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
    (bag / "manifest-sha256.txt").write_text(f"{digest.hexdigest()}  data/video-hoi-nghi.mp4\n")
    (bag / "bag-info.txt").write_text(f"Payload-Oxum: {size}.1\n")
    report = verify_bag(bag)
    assert report.valid and report.bytes == size, report.errors
    with open(big, "r+b") as fh:
        fh.seek(size - 1)
        fh.write(b"\1")
    assert not verify_bag(bag).valid
