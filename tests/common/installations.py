"""Several recordsys installations on one machine, each its own PostgreSQL database and data folder,
served by real processes (``recordsys serve``, ``recordsys jobs work``, ``recordsys exchange poll
--every``) that a test can SIGKILL and start again. Used by the exchange fault tests and
``bench/exchange.py``."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.common.postgres import free_port

REPO = Path(__file__).resolve().parents[2]


class Installation:
    """One installation: ``env`` is the environment of its processes (database, data folder, settings)."""

    def __init__(self, name: str, database_url: str, data_dir: Path, extra: dict | None = None):
        self.name, self.database_url, self.data_dir = name, database_url, Path(data_dir)
        self.port = free_port()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, "RECORDSYS_DATABASE_URL": database_url, "RECORDSYS_DATA_DIR": str(self.data_dir),
                    "RECORDSYS_SEARCH_BACKEND": "fts5", "RECORDSYS_JOBS__IN_PROCESS": "false",
                    "RECORDSYS_JOBS__RETRY_DELAY": "1", "RECORDSYS_JOBS__MAX_ATTEMPTS": "1000",
                    "RECORDSYS_JOBS__LEASE_SECONDS": "5", "RECORDSYS_JOBS__RECOVER_SECONDS": "1",
                    "RECORDSYS_EXCHANGE__TIMEOUT_SECONDS": "20", "PYTHONUNBUFFERED": "1",
                    **(extra or {})}
        self.processes: dict[str, subprocess.Popen] = {}
        self._app = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def set(self, **settings) -> None:
        """Settings for the processes started from now on (``exchange__axis_url=...``)."""
        for key, value in settings.items():
            self.env["RECORDSYS_" + key.upper()] = str(value)
        self._app = None

    @property
    def app(self):
        """An in-process :class:`recordsys.cli.context.AppEnv` on this installation (its own settings)."""
        if self._app is None:
            from recordsys.cli.context import AppEnv
            from recordsys.config import load_settings

            app = AppEnv()
            app.__dict__["settings"] = load_settings({}, environ=self.env)
            self._app = app
        return self._app

    def cli(self, *args, check: bool = True) -> str:
        result = subprocess.run([sys.executable, "-m", "recordsys.cli", "--lang", "en", *map(str, args)], cwd=REPO,
                                env=self.env, capture_output=True, text=True, timeout=300)
        if check and result.returncode != 0:
            raise RuntimeError(f"{self.name}: recordsys {' '.join(map(str, args))} exited {result.returncode}: "
                               f"{result.stdout[-500:]} {result.stderr[-1500:]}")
        return result.stdout

    # --- processes ---------------------------------------------------------------------------------

    COMMANDS = {"serve": lambda i: ["serve", "--port", str(i.port), "--threads", "8"],
                "worker": lambda i: ["jobs", "work", "--workers", "2", "--no-periodic"],
                "poller": lambda i: ["exchange", "poll", "--every", "0.5"]}

    def start(self, *roles: str) -> None:
        for role in roles or ("serve", "worker"):
            log = open(self.data_dir / f"{role}.log", "ab")  # the child holds it
            self.processes[role] = subprocess.Popen(
                [sys.executable, "-m", "recordsys.cli", *self.COMMANDS[role](self)], cwd=REPO, env=self.env,
                stdout=log, stderr=subprocess.STDOUT)
            log.close()
        if "serve" in (roles or ("serve",)):
            self.wait_ready()

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            process = self.processes.get("serve")
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"{self.name}: serve ended: {self.log('serve')[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/api/v1/health", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name}: not ready after {timeout} s: {self.log('serve')[-2000:]}")

    def kill(self, *roles: str) -> None:
        """SIGKILL: no chance to finish anything."""
        for role in roles or tuple(self.processes):
            process = self.processes.pop(role, None)
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=30)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()

    def log(self, role: str) -> str:
        path = self.data_dir / f"{role}.log"
        return path.read_text(errors="replace") if path.exists() else ""
