"""The web UI in a real browser (Debian's chromium): sign in, see the role's home, switch language."""
import pytest

from tests.common.browser import LiveServer, chromium_driver


@pytest.fixture
def browser(tmp_path):
    driver = chromium_driver(tmp_path)
    yield driver
    driver.quit()


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sign_in_home_language_sign_out(app, demo, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    def heading(text):  # waits for the next page instead of reading the old one
        WebDriverWait(browser, 10).until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), text))
        return browser.find_element(By.TAG_NAME, "h1").text

    with LiveServer(app) as server:
        browser.get(server.url + "/")
        assert "/login" in browser.current_url
        assert browser.find_element(By.TAG_NAME, "h1").text == "Đăng nhập"
        browser.find_element(By.NAME, "username").send_keys("vanthu")
        browser.find_element(By.NAME, "password").send_keys("sai-mat-khau")
        browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        WebDriverWait(browser, 10).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".error")))
        assert "Sai tên đăng nhập hoặc mật khẩu." in browser.find_element(By.CSS_SELECTOR, ".error").text

        browser.find_element(By.NAME, "password").send_keys("vanthu-demo-2026")
        browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        assert heading("Xin chào") == "Xin chào, Trần Thị Thu Hà"
        card = browser.find_element(By.CSS_SELECTOR, ".role-clerk")
        assert "Văn thư" in card.text and "000.00.01.H41" in card.text
        browser.save_screenshot(str(tmp_path / "home-vi.png"))

        browser.find_element(By.LINK_TEXT, "English").click()
        assert heading("Welcome") == "Welcome, Trần Thị Thu Hà"

        browser.find_element(By.CSS_SELECTOR, "header form button").click()
        assert heading("Sign in") == "Sign in"  # English stays chosen after signing out
        assert "/login" in browser.current_url
        browser.get(server.url + "/")
        assert "/login" in browser.current_url
