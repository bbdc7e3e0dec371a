"""Issue #11: `recordsys trust list/add/remove`, audited, anchors in the data dir, used by intake."""
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from recordsys.cli import main
from recordsys.core import audit
from recordsys.core.models import AuditEvent
from recordsys.ingest.services import quiet_pyhanko
from recordsys.ingest.signatures import configured_trust_roots, validate

SHIPPED = {
    "f04ba4b459a7c9a1b971ad9b1cb833e695a80c79aea63b174b66a70edfe2fdb8": "RootCA chuyên dùng Chính phủ G2",
    "bac8bf609ab420a8ee1780d74f4de5c7f7184959d2a7375b0a75e4c29f0908e7": "Vietnam National Root CA",
}
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def run(settings, monkeypatch):
    monkeypatch.setenv("RECORDSYS_DATABASE_URL", settings["sqlalchemy.url"])
    monkeypatch.setenv("RECORDSYS_DATA_DIR", settings["recordsys.data_dir"])
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), catch_exceptions=False)


def _listed(run):
    result = run("trust", "list", "--json")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_the_shipped_roots_load(settings, run):
    import hashlib

    roots = {hashlib.sha256(c.dump()).hexdigest(): c for c in configured_trust_roots(settings)}
    assert set(SHIPPED) <= set(roots)
    for digest, name in SHIPPED.items():
        assert roots[digest].subject.native["common_name"] == name and roots[digest].ca
    rows = {r["sha256"]: r for r in _listed(run)}
    assert all(rows[d]["source"] == "shipped" for d in SHIPPED)


def test_a_test_root_is_untrusted_until_added(settings, run, tx, pki, corpus):
    from pathlib import Path

    quiet_pyhanko()
    data = corpus.valid.read_bytes()
    assert validate(data, configured_trust_roots(settings)).status == "untrusted"

    added = run("trust", "add", str(pki.root_pem), "--reason", "test PKI")
    assert added.exit_code == 0, added.output
    rows = [r for r in _listed(run) if r["source"] == "added"]
    assert len(rows) == 1 and rows[0]["ca"]
    anchor = Path(rows[0]["file"])
    assert anchor.parent == Path(settings["recordsys.data_dir"]) / "trust"  # the data dir, not the repo
    assert validate(data, configured_trust_roots(settings)).status == "valid"
    assert "Đã tin cậy từ trước" in run("trust", "add", str(pki.root_pem)).output

    # only CA certificates; shipped roots are removed through the repository, not here
    leaf = run("trust", "add", str(pki.signers["good"].cert_path))
    assert leaf.exit_code == 1 and "không phải là chứng thư của tổ chức chứng thực" in leaf.output
    shipped = run("trust", "remove", next(iter(SHIPPED)))
    assert shipped.exit_code == 1 and "đi kèm recordsys" in shipped.output
    assert run("trust", "remove", "abc").exit_code == 1

    removed = run("trust", "remove", rows[0]["sha256"][:12], "--reason", "end of test")
    assert removed.exit_code == 0, removed.output
    assert not anchor.exists() and not list(anchor.parent.iterdir())
    assert validate(data, configured_trust_roots(settings)).status == "untrusted"

    with tx() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action.like("trust.%"))
                                 .order_by(AuditEvent.seq)).all()
        assert [(e.action, e.object_id) for e in events] == [("trust.add", rows[0]["sha256"]),
                                                             ("trust.remove", rows[0]["sha256"])]
        assert audit.verify(session).intact
