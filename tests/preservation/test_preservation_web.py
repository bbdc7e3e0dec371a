"""The auditor's screen: packages and copies, and a verification run as a background job."""
from recordsys import jobs
from tests.common.packages import store_test_package as _store
from tests.conftest import login


def test_auditor_sees_packages_and_verifies_one(testapp, demo, tx, settings, originals, session_factory):
    package_id, _ = _store(tx, settings, originals)
    login(testapp, "kiemtra")
    page = testapp.get("/preservation")
    assert "000.00.01.H41.2026.01.TCCB" in page.text and "primary" in page.text and "secondary" in page.text
    form = next(f for f in page.forms.values() if f.action.endswith(f"/preservation/{package_id}/verify"))
    form.submit().follow()
    jobs.import_handlers()
    assert jobs.run_next(session_factory, settings) is not None
    page = testapp.get("/preservation")
    assert "2 bản đã kiểm tra, 0 hỏng" in page.text
    copies = testapp.get("/api/v1/packages").json["packages"][0]["copies"]
    assert all(c["last_checked_at"] for c in copies)
    testapp.post("/preservation/999/verify", {"csrf_token": form["csrf_token"].value}, status=404)


def test_clerk_cannot_see_packages(testapp, demo):
    login(testapp, "vanthu")
    testapp.get("/preservation", status=403)
