"""Packages in two locations: stored only when every copy verifies, audited, repaired, exported,
imported; kills leave nothing half-written; files over 4 GB."""
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

OFFICE = "000.00.01.H41"


def _store(tx, settings, originals, name="H41-02.2026.01.TCCB"):
    with tx() as session:
        org = require_org(session, OFFICE)
        package = store_package(
            session, settings, organization=org, name=name, external_identifier=name, source="dossier",
            source_id=1, payload=originals, actor="luutru",
            tag_files={"metadata/dossier.xml": "<HoSo><TieuDe>Hồ sơ giao đất</TieuDe></HoSo>".encode()})
        return package.id, package.tagmanifest_sha256


def _locations(settings):
    return [Path(p.split("=", 1)[1]) for p in settings["preservation.locations"].split(";")]


def test_store_writes_two_verified_identical_copies(tx, settings, demo, originals):
    package_id, fingerprint = _store(tx, settings, originals)
    copies = [loc / "H41-02.2026.01.TCCB" for loc in _locations(settings)]
    for copy in copies:
        report = verify_bag(copy)
        assert report.valid and report.fingerprint == fingerprint and report.files == 3
        info = bagit.Bag(str(copy)).info
        assert info["External-Identifier"] == "H41-02.2026.01.TCCB"
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
    victim = _locations(settings)[1] / "H41-02.2026.01.TCCB"
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


def test_failed_copy_records_nothing(tx, settings, demo, originals, monkeypatch):
    def broken_copy(*args, **kwargs):
        raise bagging.PreservationError("The disk is full while copying; free space and try again.")

    monkeypatch.setattr(bagging, "place_copy", broken_copy)
    with pytest.raises(bagging.PreservationError, match="disk is full"):
        _store(tx, settings, originals)
    with tx() as session:
        assert session.scalar(select(func.count()).select_from(Package)) == 0
    for location in _locations(settings):
        assert not (location / "H41-02.2026.01.TCCB").exists()


KILL_SCRIPT = """
import os, sys
from pathlib import Path
import bagit
from recordsys.preservation import bagging
real = bagit.make_bag
def dying(*a, **k):
    os._exit(9)  # killed while bagging, after the payload was copied
bagit.make_bag = dying
bagging.build_bag(Path(sys.argv[1]), "hs-bi-giet", [bagging.PayloadFile(Path(sys.argv[2]), "a.pdf")], {}, {})
"""


def test_kill_during_bagging_leaves_no_package(tmp_path, originals):
    location = tmp_path / "kho"
    location.mkdir()
    done = subprocess.run([sys.executable, "-c", KILL_SCRIPT, str(location), str(originals[0].source)])
    assert done.returncode == 9
    assert not (location / "hs-bi-giet").exists() and list(location.glob(".tmp-*"))
    assert bagging.sweep_temporary(location) == [".tmp-hs-bi-giet"]
    assert list(location.iterdir()) == []


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
    assert refused.exit_code == 1 and "is not valid" in refused.output
    listing = runner.invoke(main, ["preservation", "list", "--json"])
    identifiers = [json.loads(line)["identifier"] for line in listing.stdout.splitlines()]
    assert identifiers == ["H41-02.2026.01.TCCB", "H41-31.2020.07.TCCB"]
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
