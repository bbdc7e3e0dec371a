"""A registered outgoing document of the
provincial office, and ``recordsys`` run through click's runner against the test database."""
import pytest
from click.testing import CliRunner

OFFICE = "000.00.01.H41"  # Văn phòng UBND tỉnh Khánh Hòa
HOME_AFFAIRS = "000.00.31.H41"  # Sở Nội vụ
FINANCE = "000.00.32.H41"  # Sở Tài chính


@pytest.fixture
def run(settings, demo, verapdf_home):
    env = {"RECORDSYS_DATABASE_URL": settings["sqlalchemy.url"], "RECORDSYS_DATA_DIR": settings["recordsys.data_dir"],
           "RECORDSYS_JOBS__IN_PROCESS": "false"}
    runner = CliRunner(env=env)
    return lambda *args: runner.invoke(main_command(), [str(a) for a in args], catch_exceptions=False)


def main_command():
    from recordsys.cli import main

    return main


@pytest.fixture
def trusted(run, pki):
    """The test PKI's root is a trust anchor of the installation (as `recordsys trust add`)."""
    result = run("trust", "add", pki.root_pem, "--reason", "Chứng thư gốc thử nghiệm")
    assert result.exit_code == 0, result.output
    return pki


@pytest.fixture
def outgoing(tx, settings, demo, corpus):
    """A signed PDF/A official letter registered as outgoing by the provincial office."""
    import hashlib

    from recordsys.core.services import require_org
    from recordsys.ingest.registration import register_checked_file
    from recordsys.storage import LocalFileStorage

    path = corpus.valid
    verdict = {"file": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
               "size": path.stat().st_size,
               "signature": {"status": "valid", "signatures": [{"signer": "Nguyễn Văn An"}]},
               "pdfa": {"compliant": True, "flavour": "2b", "failed_rules": []}, "accepted": True, "reasons": []}
    with tx() as session:
        result = register_checked_file(
            session, storage=LocalFileStorage(settings["storage.path"]), path=path, verdict=verdict,
            organization=require_org(session, OFFICE), direction="outgoing", actor="vanthu",
            original_name="125-UBND-VP.pdf", extracted={"page_count": 1, "text": "Chuyển đổi số"},
            metadata={"subject": "Về việc triển khai chuyển đổi số trong công tác văn thư, lưu trữ năm 2026",
                      "number_and_symbol": "125/UBND-VP", "issued_date": "2026-11-27", "type_name": "Công văn",
                      "signer": "Nguyễn Văn An"})
    return result.document_id
