"""The clerk's inbox and outbox in a real browser (Debian's chromium): two letters of the Department
of Home Affairs arrive in the provincial office's inbox; the clerk refuses one with a reason and
accepts the other; the outbox shows the statuses sent back and those received for the office's own
letter."""
import hashlib

import pytest

from tests.common.browser import LiveServer, chromium_driver
from tests.exchange.conftest import FINANCE, HOME_AFFAIRS, OFFICE

pytestmark = pytest.mark.browser


@pytest.fixture
def browser(tmp_path):
    driver = chromium_driver(tmp_path)
    yield driver
    driver.quit()


def register(tx, settings, corpus, org_code, number, subject):
    from recordsys.core.services import require_org
    from recordsys.ingest.registration import register_checked_file
    from recordsys.storage import LocalFileStorage

    path = corpus.valid
    verdict = {"file": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
               "size": path.stat().st_size,
               "signature": {"status": "valid", "signatures": [{"signer": "Lê Thị Bích Ngọc"}]},
               "pdfa": {"compliant": True, "flavour": "2b", "failed_rules": []}, "accepted": True, "reasons": []}
    with tx() as session:
        result = register_checked_file(
            session, storage=LocalFileStorage(settings["storage.path"]), path=path, verdict=verdict,
            organization=require_org(session, org_code), direction="outgoing", actor="vanthu",
            original_name=f"{number.replace('/', '-')}.pdf", extracted={"page_count": 1, "text": subject},
            metadata={"subject": subject, "number_and_symbol": number, "issued_date": "2026-11-27",
                      "type_name": "Công văn", "signer": "Lê Thị Bích Ngọc"})
    return result.document_id


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_clerk_refuses_and_accepts_in_the_inbox_and_sees_the_outbox(app, run, trusted, corpus, tx, settings,
                                                                    browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    refused_subject = "Về việc cử cán bộ tham dự tập huấn nghiệp vụ văn thư năm 2026"
    accepted_subject = "Về việc thẩm định đề án vị trí việc làm của Đài Phát thanh và Truyền hình"
    first = register(tx, settings, corpus, HOME_AFFAIRS, "41/SNV-VP", refused_subject)
    second = register(tx, settings, corpus, HOME_AFFAIRS, "42/SNV-TCBC", accepted_subject)
    own = register(tx, settings, corpus, OFFICE, "130/UBND-VP", "Về việc bố trí kinh phí số hóa tài liệu lưu trữ")
    for document, to in ((first, OFFICE), (second, OFFICE), (own, FINANCE)):
        assert run("exchange", "send", document, "--to", to).exit_code == 0
    for _ in range(2):  # the envelopes, then the 01 statuses they cause
        assert run("exchange", "deliver").exit_code == 0

    def row_with(text):
        return next(r for r in browser.find_elements(By.CSS_SELECTOR, "tbody tr") if text in r.text)

    def notice(text):
        WebDriverWait(browser, 15).until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".notice"), text))

    with LiveServer(app) as server:
        browser.get(server.url + "/login")
        browser.find_element(By.NAME, "username").send_keys("vanthu")
        browser.find_element(By.NAME, "password").send_keys("vanthu-demo-2026")
        browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        WebDriverWait(browser, 15).until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Xin chào"))

        browser.get(f"{server.url}/orgs/{OFFICE}/exchange/inbox")
        assert "Văn bản đến qua trục" in browser.find_element(By.TAG_NAME, "h1").text
        row = row_with(refused_subject)
        assert "received" in row.text and HOME_AFFAIRS in row.text and "✓" in row.text
        row.find_element(By.NAME, "reason").send_keys("Gửi nhầm nơi nhận, đề nghị gửi Sở Tài chính")
        row.find_element(By.CSS_SELECTOR, "button[value=refuse]").click()
        notice("đã từ chối")
        assert "refused: Gửi nhầm nơi nhận, đề nghị gửi Sở Tài chính" in row_with(refused_subject).text

        row_with(accepted_subject).find_element(By.CSS_SELECTOR, "button[value=accept]").click()
        notice("đã vào sổ số")
        row = row_with(accepted_subject)
        assert "accepted" in row.text and not row.find_elements(By.CSS_SELECTOR, "button")
        browser.save_screenshot(str(tmp_path / "inbox.png"))

        for _ in range(2):  # 02 and 03 go back; FINANCE's 01 for our own letter arrived already
            assert run("exchange", "deliver").exit_code == 0
        browser.get(f"{server.url}/orgs/{OFFICE}/exchange/outbox")
        WebDriverWait(browser, 15).until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Văn bản gửi"))
        ours = row_with(FINANCE)
        assert "document" in ours.text and "delivered" in ours.text and f"{FINANCE}: 01 (Đã đến" in ours.text
        kinds = [r.find_elements(By.TAG_NAME, "td")[1].text for r in browser.find_elements(By.CSS_SELECTOR, "tbody tr")]
        assert sorted(k for k in kinds if k.startswith("status")) == ["status 01", "status 01", "status 02",
                                                                      "status 03"]
        assert all("delivered" in r.text for r in browser.find_elements(By.CSS_SELECTOR, "tbody tr"))
        browser.save_screenshot(str(tmp_path / "outbox.png"))
