"""Issue #11: a client's file name is a label, never a path; files-per-request limit."""
import tempfile

import pytest
from sqlalchemy import select

from recordsys.ingest.models import Document
from recordsys.ingest.views import UploadNameError, _work_name, upload_label
from tests.conftest import login

OFFICE = "000.00.01.H41"


@pytest.mark.parametrize("raw,label", [
    ("valid.pdf", "valid.pdf"),
    ("../../etc/passwd", "passwd"),
    ("/etc/cron.d/evil.pdf", "evil.pdf"),
    ("C:\\Users\\ha\\Quyết định 15.pdf", "Quyết định 15.pdf"),
    ("..\\..\\x.pdf", "x.pdf"),
])
def test_labels_are_the_last_component_only(raw, label):
    assert upload_label(raw) == label


@pytest.mark.parametrize("raw", ["", "   ", ".", "..", "a/..", "../", "bad\x00.pdf"])
def test_unusable_names_are_refused_in_both_languages(raw):
    with pytest.raises(UploadNameError) as exc:
        upload_label(raw)
    assert "Tên tệp" in exc.value.localized("vi") and "file name" in exc.value.localized("en").lower()


def test_working_names_are_ours():
    assert _work_name(3, "../../x.PDF") == "003.pdf"
    assert _work_name(0, "a.pdf/../../../etc") == "000"
    assert _work_name(1, "x.p df") == "001"


@pytest.fixture
def clerk(testapp, demo, verapdf_home, pki, monkeypatch, tmp_path):
    monkeypatch.setitem(testapp.app.registry.settings, "verapdf.home", str(verapdf_home))
    fake_metadata = pki.folder / "metadata"
    (fake_metadata / "trust").mkdir(parents=True, exist_ok=True)
    (fake_metadata / "trust" / "root.pem").write_bytes(pki.root_pem.read_bytes())
    monkeypatch.setitem(testapp.app.registry.settings, "recordsys.metadata_dir", str(fake_metadata))
    # every temporary folder of the views lands under work/tmp: a name escaping it shows in work/
    work = tmp_path / "work"
    (work / "tmp").mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(work / "tmp"))
    return login(testapp, "vanthu")


def _everything_under(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_hostile_names_write_nothing_outside_the_working_folder(clerk, corpus, tx, tmp_path):
    work = tmp_path / "work"
    outside = tmp_path / "outside" / "escaped.pdf"
    page = clerk.get(f"/orgs/{OFFICE}/intake")
    token = page.forms[1]["csrf_token"].value
    upload = clerk.post(f"/orgs/{OFFICE}/intake", {"csrf_token": token, "direction": "incoming"},
                        upload_files=[("files", "../../escaped.pdf", corpus.valid.read_bytes()),
                                      ("files", str(outside), corpus.unsigned.read_bytes())])
    assert "<h2>✔ escaped.pdf</h2>" in upload.text  # the label, without its path
    assert _everything_under(work) == ["tmp"]  # the upload folders are gone, nothing escaped
    # the register form posts the name back: a hostile one must not become a path either
    accept = upload.forms[2]
    accept["name"].force_value("../../escaped.pdf")
    accept["number_and_symbol"] = "16/QĐ-UBND"
    accept.submit("decision", value="accept").follow()
    for hostile in (str(outside), "../../../escaped.pdf"):
        form = clerk.post(f"/orgs/{OFFICE}/intake", {"csrf_token": token, "direction": "incoming"},
                          upload_files=[("files", "again.pdf", corpus.valid.read_bytes())]).forms[2]
        form["name"].force_value(hostile)
        form.submit("decision", value="accept", status=303)
    assert _everything_under(work) == ["tmp"]
    assert not outside.exists() and not (tmp_path / "escaped.pdf").exists()
    with tx() as session:
        names = session.scalars(select(Document.original_name)).all()
    assert names and set(names) == {"escaped.pdf"}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_unusable_names_get_a_clear_answer(clerk, corpus):
    page = clerk.get(f"/orgs/{OFFICE}/intake")
    token = page.forms[1]["csrf_token"].value
    for bad in ("..", "."):
        refused = clerk.post(f"/orgs/{OFFICE}/intake", {"csrf_token": token, "direction": "incoming"},
                             upload_files=[("files", bad, corpus.valid.read_bytes())], status=400)
        assert "Tên tệp không hợp lệ" in refused.text and "Invalid file name" not in refused.text
        refused = clerk.post(f"/orgs/{OFFICE}/intake", {"csrf_token": token, "direction": "incoming", "_LOCALE_": "en"},
                             upload_files=[("files", bad, corpus.valid.read_bytes())], status=400)
        assert "Invalid file name" in refused.text
    sha = "0" * 64
    refused = clerk.post(f"/orgs/{OFFICE}/intake/register", {"csrf_token": token, "sha256": sha, "name": "a\x00b",
                                                             "decision": "accept"}, status=400)
    assert "NUL" in refused.text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_too_many_files_in_one_request(clerk, corpus, monkeypatch):
    monkeypatch.setitem(clerk.app.registry.settings, "recordsys.max_upload_files", "2")
    token = clerk.get(f"/orgs/{OFFICE}/intake").forms[1]["csrf_token"].value
    refused = clerk.post(f"/orgs/{OFFICE}/intake", {"csrf_token": token, "direction": "incoming"},
                         upload_files=[("files", f"{i}.pdf", b"%PDF-1.7") for i in range(3)], status=413)
    assert "Quá nhiều tệp: tối đa 2 tệp" in refused.text
    refused = clerk.post(f"/orgs/{OFFICE}/intake", {"csrf_token": token, "direction": "incoming", "_LOCALE_": "en"},
                         upload_files=[("files", f"{i}.pdf", b"%PDF-1.7") for i in range(3)], status=413)
    assert "Too many files: at most 2" in refused.text
