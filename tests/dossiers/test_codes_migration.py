"""Migration 0011 on a database filled by the old version: dossiers, their documents and their
packages get codes built on the agency identifier; the Circular 02/2019 codes (fonds code,
3-digit ordinals) are kept as alternative identifiers; nothing is lost; downgrade restores."""
import datetime as dt

from alembic import command
from sqlalchemy import func, select, text

from recordsys.core.services import require_org
from recordsys.dossiers import building
from recordsys.dossiers.models import AlternativeIdentifier, Dossier, DossierItem
from recordsys.migrate import alembic_config
from recordsys.preservation.models import Package

OFFICE, HOME_AFFAIRS = "000.00.01.H41", "000.00.31.H41"


def _fill(tx, documents):
    with tx() as session:
        office, home = require_org(session, OFFICE), require_org(session, HOME_AFFAIRS)
        made = building.open_dossier(session, organization=office, year=2026, plan_code="01.TCCB", retention="10",
                                     title="Hồ sơ tuyển dụng công chức năm 2026", actor="luutru")
        building.add_documents(session, made, documents[:3], "luutru")
        other = building.open_dossier(session, organization=home, year=2025, plan_code="15/QĐ-UBND", retention="70",
                                      title="Hồ sơ sắp xếp đơn vị hành chính cấp xã, Đề án 15/QĐ-UBND",
                                      actor="chuyenvien")
        session.add(Package(name="H41-02.2026.01.TCCB", organization_id=office.id,
                            external_identifier="H41-02.2026.01.TCCB", source="dossier", source_id=made.id,
                            tagmanifest_sha256="0" * 64, payload_oxum="10.3", files=3, bytes=10,
                            created_at=dt.datetime(2026, 5, 4, tzinfo=dt.UTC), created_by="luutru"))
        session.add(Package(name="H41-31.2020.07.TCCB", organization_id=home.id,
                            external_identifier="H41-31.2020.07.TCCB", source="import", source_id=None,
                            tagmanifest_sha256="1" * 64, payload_oxum="1.1", files=1, bytes=1,
                            created_at=dt.datetime(2026, 5, 4, tzinfo=dt.UTC), created_by="luutru"))
        return made.id, other.id


def _counts(session):
    return {table: session.scalar(text(f"SELECT count(*) FROM {table}"))
            for table in ("dossiers", "dossier_items", "documents", "packages", "dossier_plan_entries")}


def test_old_codes_are_recoded_and_kept(settings, tx, demo, documents):
    made_id, other_id = _fill(tx, documents)
    config = alembic_config(settings)
    command.downgrade(config, "0010")
    # the data as the old version stored it: codes built on the fonds code (mã phông)
    with tx() as session:
        session.execute(text("UPDATE dossiers SET archival_code = (SELECT fonds_code FROM organizations o "
                             "WHERE o.id = dossiers.organization_id) || '.' || year || '.' || code"))
        for dossier in session.scalars(select(Dossier)):
            dossier.fields = {**dossier.fields, "FileCode": dossier.archival_code}
        old = {d.id: d.archival_code for d in session.scalars(select(Dossier))}
        before = _counts(session)
    assert old[made_id] == "H41-02.2026.01.TCCB" and old[other_id] == "H41-31.2025.15/QĐ-UBND"

    command.upgrade(config, "head")
    with tx() as session:
        assert _counts(session) == before
        made, other = session.get(Dossier, made_id), session.get(Dossier, other_id)
        assert made.archival_code == made.fields["FileCode"] == "000.00.01.H41.2026.01.TCCB"
        assert other.archival_code == "000.00.31.H41.2025.15/QĐ-UBND"
        alternatives = {(a.kind, a.object_id): a.value for a in session.scalars(
            select(AlternativeIdentifier).where(AlternativeIdentifier.scheme == "circular02"))}
        assert alternatives[("dossier", made_id)] == "H41-02.2026.01.TCCB"
        assert alternatives[("dossier", other_id)] == "H41-31.2025.15/QĐ-UBND"
        items = session.scalars(select(DossierItem).where(DossierItem.dossier_id == made_id)
                                .order_by(DossierItem.ordinal)).all()
        assert [alternatives[("document", i.document_id)] for i in items] == [
            f"H41-02.2026.01.TCCB.00{n}" for n in (1, 2, 3)]
        packages = {p.source: p for p in session.scalars(select(Package))}
        assert packages["dossier"].external_identifier == "000.00.01.H41.2026.01.TCCB"
        assert packages["dossier"].name == "H41-02.2026.01.TCCB"  # the stored bag's folder stays where it is
        assert alternatives[("package", packages["dossier"].id)] == "H41-02.2026.01.TCCB"
        assert packages["import"].external_identifier == "H41-31.2020.07.TCCB"  # foreign: not ours to re-code
        assert session.scalar(select(func.count()).select_from(AlternativeIdentifier)) == 2 + 3 + 1

    command.downgrade(config, "0010")
    with tx() as session:
        assert {d.id: d.archival_code for d in session.scalars(select(Dossier))} == old
        assert session.get(Dossier, made_id).fields["FileCode"] == "H41-02.2026.01.TCCB"
        assert session.scalar(text("SELECT external_identifier FROM packages WHERE source = 'dossier'")) == \
            "H41-02.2026.01.TCCB"
        assert _counts(session) == before
    command.upgrade(config, "head")
