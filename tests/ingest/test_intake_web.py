"""The clerk's intake screen with real files: verdicts in plain words, register, refuse."""
import pytest
from sqlalchemy import func, select

from recordsys.ingest.models import Document, QuarantinedFile
from tests.conftest import login

OFFICE = "000.00.01.H41"


@pytest.fixture
def clerk(testapp, demo, verapdf_home, pki, monkeypatch):
    monkeypatch.setitem(testapp.app.registry.settings, "verapdf.home", str(verapdf_home))
    # the test PKI's root stands in for the national roots in metadata/trust
    fake_metadata = pki.folder / "metadata"
    (fake_metadata / "trust").mkdir(parents=True, exist_ok=True)
    (fake_metadata / "trust" / "root.pem").write_bytes(pki.root_pem.read_bytes())
    monkeypatch.setitem(testapp.app.registry.settings, "recordsys.metadata_dir", str(fake_metadata))
    return login(testapp, "vanthu")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_check_register_and_refuse(clerk, corpus, tx):
    page = clerk.get(f"/orgs/{OFFICE}/intake")
    token = page.forms[1]["csrf_token"].value  # forms[0] is the sign-out button
    upload = clerk.post(f"/orgs/{OFFICE}/intake", {"csrf_token": token, "direction": "incoming"},
                        upload_files=[("files", "valid.pdf", corpus.valid.read_bytes()),
                                      ("files", "revoked.pdf", corpus.revoked.read_bytes())])
    assert "Chứng thư số của Phạm Văn Dũng đã bị thu hồi." in upload.text
    assert upload.text.count('class="card verdict accepted"') == 1
    accept_form, refuse_form = upload.forms[2], upload.forms[3]
    accept_form["number_and_symbol"] = "15/QĐ-UBND"
    done = accept_form.submit("decision", value="accept").follow()
    assert "15/QĐ-UBND" in done.text and "số 1" in done.text
    no_reason = refuse_form.submit("decision", value="refuse")
    assert "A refusal needs a reason" in no_reason.text or "cần lý do" in no_reason.text
    refuse_form["reason"] = "Chữ ký số không hợp lệ"
    refuse_form.submit("decision", value="refuse").follow()
    with tx() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 1
        refused = session.scalars(select(QuarantinedFile)).one()
        assert refused.reasons[-1] == "Văn thư từ chối: Chữ ký số không hợp lệ"


def test_other_roles_and_agencies_cannot_register(testapp, demo):
    login(testapp, "luutru")
    testapp.get(f"/orgs/{OFFICE}/intake", status=403)
    login(testapp, "vanthu")
    testapp.get("/orgs/000.00.31.H41/intake", status=404)  # like a missing agency


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_registered_on_the_web_is_found_by_a_word_of_its_body(clerk, corpus):
    """Text is extracted where registration happens, so the web path indexes the body too."""
    page = clerk.get(f"/orgs/{OFFICE}/intake")
    token = page.forms[1]["csrf_token"].value
    upload = clerk.post(f"/orgs/{OFFICE}/intake", {"csrf_token": token, "direction": "incoming"},
                        upload_files=[("files", "giao-dat.pdf", corpus.valid.read_bytes())])
    accept_form = upload.forms[2]
    accept_form["subject"] = "Quyết định về đất ở"  # the body's place name is not in the subject
    accept_form.submit("decision", value="accept").follow()
    # "giao" is only in the body ("Về việc giao đất đai …"); Ghostscript's PDF/A of the test file has
    # no Unicode map for Vietnamese letters, so a word without them is what its text keeps
    found = clerk.get("/api/v1/search", {"q": "giao"}).json
    assert [hit["entry"]["title"] for hit in found["hits"]] == ["Quyết định về đất ở"]
    assert clerk.get("/api/v1/search", {"q": "quyet dinh giao"}).json["total"] == 1
