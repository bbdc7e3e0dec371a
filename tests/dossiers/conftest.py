"""Registered documents to build dossiers from."""
import pytest

from recordsys.core.services import require_org
from recordsys.ingest.registration import register_checked_file
from recordsys.storage import LocalFileStorage
from tests.common.factories import verdict_for

OFFICE = "000.00.01.H41"


@pytest.fixture
def documents(tx, settings, demo, tmp_path):
    """Three registered documents of the office; the third is not PDF/A."""
    storage = LocalFileStorage(settings["storage.path"])
    ids = []
    for i, (subject, symbol, pdfa) in enumerate([
            ("Quyết định giao đất đai cho hộ gia đình", "15/QĐ-UBND", True),
            ("Tờ trình về việc giao đất", "05/TTr-STNMT", True),
            ("Bản đồ hiện trạng (bản chụp)", "07/UBND-VP", False)]):
        path = tmp_path / f"vb-{i}.pdf"
        path.write_bytes(b"%PDF-1.7 " + subject.encode())
        verdict = verdict_for(path)
        verdict["pdfa"]["compliant"] = pdfa
        with tx() as session:
            result = register_checked_file(
                session, storage=storage, path=path, verdict=verdict, organization=require_org(session, OFFICE),
                direction="incoming", actor="vanthu", extracted={"page_count": 2 + i},
                metadata={"subject": subject, "number_and_symbol": symbol, "issued_date": f"2026-0{i + 1}-10",
                          "type_name": "Quyết định", "issuer": "UBND tỉnh Khánh Hòa"})
            ids.append(result.document_id)
    return ids
