"""The `recordsys` command end to end, through the installed console script's entry point."""
import json

import pytest
from click.testing import CliRunner

from recordsys.cli import main


@pytest.fixture
def run(settings, monkeypatch):
    monkeypatch.setenv("RECORDSYS_DATABASE_URL", settings["sqlalchemy.url"])
    monkeypatch.setenv("RECORDSYS_DATA_DIR", settings["recordsys.data_dir"])
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return invoke


def test_demo_org_list_and_audit(run):
    assert run("db", "upgrade").exit_code == 0
    result = run("demo")
    assert result.exit_code == 0, result.output
    assert "vanthu" in result.output and "vanthu-demo-2026" in result.output
    rows = [json.loads(line) for line in run("org", "list", "--json").output.splitlines()]
    assert len(rows) == 10  # the demo province and, after the 2025 reorganisation, a merged ward
    by_code = {r["code"]: r for r in rows}
    assert by_code["000.00.00.H41"]["level"] == "province"
    assert by_code["000.01.42.H41"] == {  # its district was dissolved: two levels
        "code": "000.01.42.H41", "name": "Ủy ban nhân dân xã Cam Hải Đông", "level": "commune",
        "parent": "000.00.00.H41", "fonds_code": "H41-42-01",
    }
    assert run("demo").exit_code == 1  # never seeds twice
    assert run("demo", "--if-empty").exit_code == 0
    verify = run("audit", "verify", "--json")
    assert verify.exit_code == 0 and json.loads(verify.output)["intact"] is True
    head = run("audit", "head").output.split()
    assert head[0] == str(json.loads(verify.output)["events"])
    assert json.loads(verify.output)["pending"] == 0  # every writer's events were sealed after its commit
    sealed = run("--lang", "en", "audit", "seal")
    assert sealed.exit_code == 0 and "Sealed 0 pending" in sealed.output


def test_user_add_and_grant(run):
    run("demo")
    result = run("user", "add", "nguyenvana", "--full-name", "Nguyễn Văn A", "--password", "mật-khẩu-dài",
                 "--org", "000.00.31.H41", "--role", "clerk", "--role", "archivist")
    assert result.exit_code == 0, result.output
    assert run("user", "grant", "nguyenvana", "--org", "000.00.32.H41", "--role", "leader").exit_code == 0
    bad = run("user", "grant", "nguyenvana", "--org", "999.99.99.Z99", "--role", "leader")
    assert bad.exit_code == 1 and "Không có cơ quan mã" in bad.output
    dup = run("user", "add", "nguyenvana", "--full-name", "X", "--password", "12345678")
    assert dup.exit_code == 1 and "đã tồn tại" in dup.output


def test_org_add_validates_the_code(run):
    run("demo")
    bad = run("org", "add", "--code", "H41", "--name", "Sở Y tế", "--level", "province")
    assert bad.exit_code == 1 and "không phải là mã định danh cơ quan" in bad.output
    ok = run("org", "add", "--code", "000.00.34.H41", "--name", "Sở Y tế tỉnh Khánh Hòa",
             "--level", "province", "--parent", "000.00.00.H41")
    assert ok.exit_code == 0, ok.output


def test_unreachable_database_is_one_sentence(monkeypatch, tmp_path):
    monkeypatch.setenv("RECORDSYS_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("RECORDSYS_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(main, ["org", "list"])
    assert result.exit_code == 1
    assert result.output.startswith("Lỗi: Không kết nối được cơ sở dữ liệu")  # Vietnamese by default
    result = CliRunner().invoke(main, ["--lang", "en", "org", "list"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: Cannot reach the database")
    assert "Traceback" not in result.output


def test_unmigrated_database_and_bad_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("RECORDSYS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("RECORDSYS_DATABASE_URL", raising=False)
    result = CliRunner().invoke(main, ["org", "list"])
    assert result.exit_code == 1 and "recordsys db upgrade" in result.output
    monkeypatch.setenv("RECORDSYS_DATABASE_URL", "mysql://x@y/z")
    result = CliRunner().invoke(main, ["org", "list"])
    assert result.exit_code == 1 and "Không hỗ trợ cơ sở dữ liệu 'mysql'" in result.output


def test_edited_audit_row_fails_verify(run, settings, engine):
    from sqlalchemy import text

    run("demo")
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(text("UPDATE audit_events SET object_id = '99' WHERE seq = 7"))
    result = run("audit", "verify")
    assert result.exit_code == 1
    assert "seq=7" in result.output


def test_errors_speak_the_catalog_vietnamese_by_default(settings, monkeypatch):
    monkeypatch.setenv("RECORDSYS_DATABASE_URL", settings["sqlalchemy.url"])
    monkeypatch.setenv("RECORDSYS_DATA_DIR", settings["recordsys.data_dir"])
    args = ["dossier", "create", "--org", "999.99.99.X99", "--plan-code", "01.VP", "--title", "Hồ sơ thử",
            "--retention", "10"]
    vi = CliRunner().invoke(main, args)
    assert vi.exit_code == 1
    assert "Lỗi: org: Không có cơ quan mã '999.99.99.X99'" in vi.output
    en = CliRunner().invoke(main, ["--lang", "en", *args])
    assert "Error: org: Unknown organization code '999.99.99.X99'" in en.output
