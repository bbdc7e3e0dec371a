"""The main path of the workflow in a real browser (Debian's chromium): the leader assigns an
incoming document from the inbox, the specialist consults a colleague who answers from her inbox,
the specialist drafts the answer (uploads a PDF) and submits it, the leader approves and signs, the
clerk numbers and issues it; the issued number shows."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from recordsys.core.demo import demo_password
from recordsys.core.services import require_org
from recordsys.ingest.registration import register_checked_file
from recordsys.storage.local import LocalFileStorage
from recordsys.workflow.models import Assignment, Draft
from recordsys.workflow.services import set_workflow_settings
from tests.common.browser import LiveServer, chromium_driver
from tests.common.pdfs import plain_pdf

OFFICE = "000.00.01.H41"
SUBJECT = "Đề nghị hỗ trợ kinh phí sửa chữa trường tiểu học Cam Hải Đông"


@pytest.fixture
def browser(tmp_path):
    driver = chromium_driver(tmp_path)
    yield driver
    driver.quit()


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_assign_draft_approve_sign_issue(app, demo, tx, settings, tmp_path, browser, verapdf_home):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    with tx() as s:
        document_id = register_checked_file(
            s, storage=LocalFileStorage(settings["storage.path"]), path=plain_pdf(tmp_path / "den.pdf"),
            verdict={"accepted": True, "signature": {"status": "valid", "signatures": []}},
            organization=require_org(s, OFFICE), direction="incoming", actor="vanthu",
            metadata={"subject": SUBJECT, "number_and_symbol": "45/UBND-VP"}, extracted={"text": ""}).document_id
        # a công văn's symbol names the drafting unit (Phòng Tài chính – Kế hoạch)
        set_workflow_settings(s, require_org(s, OFFICE), {"units": {"chuyenvien": "TCKH"}}, "quantri")
    answer = plain_pdf(tmp_path / "du-thao-tra-loi.pdf")
    wait = WebDriverWait(browser, 30)

    def css(selector):
        return wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, selector)))

    def sign_in(server, user):
        browser.get(server.url + "/login")
        css("input[name=username]").send_keys(user)
        browser.find_element(By.NAME, "password").send_keys(demo_password(user))
        browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        return css("#inbox")

    def sign_out():
        browser.find_element(By.CSS_SELECTOR, "header form button").click()
        css("input[name=username]")

    def draft_action(action):
        button = css(f"form[action$='/{action}'] button")
        button.click()
        wait.until(ec.staleness_of(button))

    with LiveServer(app) as server:
        # the leader finds the document in the inbox and assigns it with a deadline
        inbox = sign_in(server, "lanhdao")
        inbox.find_element(By.CSS_SELECTOR, "ul.inbox-to_assign a").click()
        form = css("#assign-form")
        form.find_element(By.NAME, "to").send_keys("chuyenvien")
        deadline = dt.date.today() + dt.timedelta(days=5)
        browser.execute_script("arguments[0].value = arguments[1]", form.find_element(By.NAME, "deadline"),
                               deadline.isoformat())
        form.find_element(By.NAME, "note").send_keys("Giao Phòng Tài chính tham mưu văn bản trả lời.")
        form.find_element(By.CSS_SELECTOR, "button").click()
        wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, "#assignment .handler"), "chuyenvien"))
        assert "incoming.assign" in browser.find_element(By.ID, "history").text
        sign_out()

        # the specialist sees it in the inbox and asks the archivist for her view (xin ý kiến)
        inbox = sign_in(server, "chuyenvien")
        assigned = inbox.find_element(By.CSS_SELECTOR, "ul.inbox-assigned li")
        assert "45/UBND-VP" in assigned.text and deadline.strftime("%d/%m/%Y") in assigned.text
        assigned.find_element(By.CSS_SELECTOR, "a").click()
        consult = css("#consult-form")
        consult.find_element(By.NAME, "to").send_keys("luutru")
        consult.find_element(By.NAME, "question").send_keys("Đề nghị cho ý kiến về hồ sơ sửa chữa trường năm trước")
        consult.find_element(By.CSS_SELECTOR, "button").click()
        css("#consultations tr.consultation.pending")
        sign_out()

        # the archivist finds the request in her inbox and answers it
        inbox = sign_in(server, "luutru")
        inbox.find_element(By.CSS_SELECTOR, "ul.inbox-to_answer a").click()
        reply = css("form[action$='/answer']")
        reply.find_element(By.NAME, "text").send_keys("Hồ sơ năm 2025 đã lưu tại kho, số 12.TCKH")
        reply.find_element(By.CSS_SELECTOR, "button").click()
        assert "12.TCKH" in css("#consultations tr.consultation.answered").text
        sign_out()

        # the specialist drafts the answer and submits it
        sign_in(server, "chuyenvien")
        browser.get(f"{server.url}/orgs/{OFFICE}/drafts")
        css("input[name=file]").send_keys(str(answer))
        Select(browser.find_element(By.NAME, "type")).select_by_value("CV")
        browser.find_element(By.NAME, "subject").send_keys("V/v hỗ trợ kinh phí sửa chữa trường tiểu học Cam Hải Đông")
        browser.find_element(By.CSS_SELECTOR, "form[enctype] button").click()
        draft_action("submit")
        sign_out()

        # the leader approves and signs from the inbox
        inbox = sign_in(server, "lanhdao")
        inbox.find_element(By.CSS_SELECTOR, "ul.inbox-to_approve a").click()
        draft_action("approve")
        draft_action("sign")
        sign_out()

        # the clerk numbers and issues it
        inbox = sign_in(server, "vanthu")
        inbox.find_element(By.CSS_SELECTOR, "ul.inbox-to_issue a").click()
        draft_action("issue")
        notice = css("p.notice").text
        browser.save_screenshot(str(tmp_path / "issued.png"))

    with tx() as s:
        draft = s.scalar(select(Draft))
        assert draft.state == "issued" and draft.number_and_symbol, notice
        assert (draft.type_code, draft.drafter, draft.signed_by) == ("CV", "chuyenvien", "lanhdao")
        assert s.scalar(select(Assignment).where(Assignment.document_id == document_id)).main_handler == "chuyenvien"
    assert draft.number_and_symbol in notice
    assert draft.number_and_symbol.startswith("01/") and draft.number_and_symbol.endswith("-TCKH")
