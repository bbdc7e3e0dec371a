"""Circular 02/2019 XML exports stay readable: `recordsys dossier import FILE.xml` creates a dossier
with the file's fields (documents optional, linked by number and notation); export → import round trip."""
import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from recordsys.cli import main
from recordsys.core.services import require_org
from recordsys.dossiers import building
from recordsys.dossiers.models import AlternativeIdentifier, Dossier

OFFICE, HOME_AFFAIRS = "000.00.01.H41", "000.00.31.H41"
KEPT = ("Title", "Maintenance", "Rights", "Keyword", "InforSign", "FileNotation", "FileCatalog", "Language")


@pytest.fixture
def run(settings, demo):
    env = {"RECORDSYS_DATABASE_URL": settings["sqlalchemy.url"], "RECORDSYS_DATA_DIR": settings["recordsys.data_dir"]}
    runner = CliRunner(env=env)
    return lambda *args: runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def exported(run, tx, documents, tmp_path):
    with tx() as session:
        made = building.open_dossier(session, organization=require_org(session, OFFICE), year=2026,
                                     plan_code="01.TCCB", title="Hồ sơ giao đất đai phường Lộc Thọ", retention="20",
                                     actor="luutru")
        building.add_documents(session, made, documents[:2], "luutru")
        building.set_fields(session, made, {"Keyword": "đất đai, Lộc Thọ", "InforSign": "ĐĐ-01"}, "luutru")
        dossier_id, fields = made.id, dict(made.fields)
    result = run("dossier", "export", dossier_id, "--format", "xml", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    return tmp_path / "out" / "ho-so.xml", fields


def test_round_trip_into_another_agency(run, tx, exported):
    path, fields = exported
    result = run("dossier", "import", path, "--org", HOME_AFFAIRS, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["archival_code"] == "000.00.31.H41.2026.01.TCCB" and out["source_code"] == fields["FileCode"]
    with tx() as session:
        made = session.get(Dossier, out["id"])
        assert {k: made.fields.get(k) for k in KEPT} == {k: fields.get(k) for k in KEPT}
        assert made.fields["TotalDoc"] == 2 and made.fields["StartDate"] == fields["StartDate"]  # as the file says
        assert made.title == "Hồ sơ giao đất đai phường Lộc Thọ" and made.retention == "20" and not made.items
        [alternative] = session.scalars(select(AlternativeIdentifier).where(
            AlternativeIdentifier.kind == "dossier", AlternativeIdentifier.object_id == made.id)).all()
        assert alternative.scheme == "circular02" and alternative.value == "000.00.01.H41.2026.01.TCCB"


def test_an_old_file_with_documents_by_reference(run, tx, exported, documents, tmp_path):
    path, _ = exported
    root = ET.parse(path).getroot()  # as the old version wrote it: fonds code, 3-digit ordinals, another year
    root.find("FileCode").text, root.find("FileCatalog").text = "H41-02.2019.01.TCCB", "2019"
    for n, node in enumerate(root.iter("VanBan"), 1):
        node.find("DocCode").text = f"H41-02.2019.01.TCCB.00{n}"
    extra = ET.SubElement(root, "VanBan")
    ET.SubElement(extra, "CodeNumber").text, ET.SubElement(extra, "CodeNotation").text = "99", "CV-VP"
    ET.SubElement(extra, "DocCode").text = "H41-02.2019.01.TCCB.003"
    old = tmp_path / "ho-so-2019.xml"
    ET.ElementTree(root).write(old, encoding="utf-8", xml_declaration=True)

    result = run("dossier", "import", old, "--with-documents")  # the agency found from the fonds code
    assert result.exit_code == 0, result.output
    assert "H41-02.2019.01.TCCB.003 not found" in result.stderr
    with tx() as session:
        made = session.get(Dossier, int(result.stdout.strip()))
        assert made.archival_code == "000.00.01.H41.2019.01.TCCB" and made.organization.code == OFFICE
        assert [item.document_id for item in made.items] == documents[:2]
        alternatives = {(a.kind, a.object_id): a.value for a in session.scalars(select(AlternativeIdentifier))}
        assert alternatives[("dossier", made.id)] == "H41-02.2019.01.TCCB"
        assert alternatives[("document", documents[0])] == "H41-02.2019.01.TCCB.001"


def test_not_a_dossier_export_is_refused(run, tmp_path):
    junk = tmp_path / "x.xml"
    junk.write_text("<VanBan/>", encoding="utf-8")
    result = run("--lang", "en", "dossier", "import", junk)
    assert result.exit_code == 1 and "HoSo" in result.output
