"""A real browser for the web UI tests: Debian's chromium driven through chromedriver (selenium),
against the app served by waitress on a free loopback port."""
from __future__ import annotations

import shutil
import tempfile
import threading

from tests.common.components import missing


class LiveServer:
    def __init__(self, app):
        import waitress.server

        self.server = waitress.server.create_server(app, host="127.0.0.1", port=0, threads=4)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.close()


def chromium_driver(tmp_dir):
    chromium = shutil.which("chromium")
    chromedriver = shutil.which("chromedriver")
    if not chromium or not chromedriver:
        missing("Chromium", "chromium/chromedriver not found (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=vi",
                 f"--user-data-dir={tempfile.mkdtemp(dir=tmp_dir)}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(chromedriver), options=options)
