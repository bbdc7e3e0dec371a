"""`recordsys serve --workers N`: N processes answer on one port and die with their parent."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.common.postgres import free_port

REPO = Path(__file__).resolve().parents[2]


def _children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _until(what, predicate, timeout=60.0, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}" + (f"; the server said:\n{log.read_text()[-3000:]}" if log else ""))


def _health(port: int):
    """The health answer (its JSON, whatever its HTTP status), or None when nothing answers."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=10) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return json.loads(exc.read() or b"{}") or {"status": exc.code}
    except OSError:
        return None


def test_workers_share_the_port_and_die_with_their_parent(sqlite_template, tmp_path):
    database = tmp_path / "recordsys.sqlite"
    shutil.copyfile(sqlite_template, database)
    port = free_port()
    env = {**os.environ, "RECORDSYS_DATABASE_URL": f"sqlite:///{database}", "RECORDSYS_DATA_DIR": str(tmp_path / "data"),
           "RECORDSYS_SEARCH_BACKEND": "fts5", "RECORDSYS_JOBS__IN_PROCESS": "false"}
    log_path = tmp_path / "serve.log"
    log = open(log_path, "wb")
    parent = subprocess.Popen([sys.executable, "-m", "recordsys.cli", "serve", "--port", str(port), "--workers", "2"],
                              cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _until("the health answer", lambda: _health(port), log=log_path)
        workers = _until("two workers", lambda: len(_children(parent.pid)) == 2 and _children(parent.pid))
        for _ in range(20):  # both processes accept on the one socket; every request is answered
            assert _health(port) is not None
        parent.send_signal(signal.SIGKILL)  # no chance to pass anything on: the workers must still go
        parent.wait(timeout=30)
        _until("the workers to end with their parent", lambda: not any(_alive(w) for w in workers))
        assert _health(port) is None
    finally:
        if parent.poll() is None:
            parent.kill()
        log.close()


def test_terminating_the_parent_stops_the_workers_cleanly(sqlite_template, tmp_path):
    database = tmp_path / "recordsys.sqlite"
    shutil.copyfile(sqlite_template, database)
    port = free_port()
    env = {**os.environ, "RECORDSYS_DATABASE_URL": f"sqlite:///{database}", "RECORDSYS_DATA_DIR": str(tmp_path / "data"),
           "RECORDSYS_SEARCH_BACKEND": "fts5", "RECORDSYS_JOBS__IN_PROCESS": "false"}
    parent = subprocess.Popen([sys.executable, "-m", "recordsys.cli", "serve", "--port", str(port), "--workers", "2"],
                              cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _until("the health answer", lambda: _health(port))
        workers = _until("two workers", lambda: len(_children(parent.pid)) == 2 and _children(parent.pid))
        parent.terminate()
        assert parent.wait(timeout=30) == 0
        assert not any(_alive(w) for w in workers)
    finally:
        if parent.poll() is None:
            parent.kill()
