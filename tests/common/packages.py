"""An archival package stored through the real service, for the preservation tests."""
from recordsys.core.services import require_org
from recordsys.preservation.services import store_package

OFFICE = "000.00.01.H41"


def store_test_package(tx, settings, originals, name="000.00.01.H41.2026.01.TCCB"):
    with tx() as session:
        org = require_org(session, OFFICE)
        package = store_package(
            session, settings, organization=org, name=name, external_identifier=name, source="dossier",
            source_id=1, payload=originals, actor="luutru",
            tag_files={"metadata/dossier.xml": "<HoSo><TieuDe>Hồ sơ giao đất</TieuDe></HoSo>".encode()})
        return package.id, package.tagmanifest_sha256
