"""A real Elasticsearch node for the tests: codelibs' cluster runner (Elasticsearch 7.10.2 from
Maven Central jars, scripts/install-elasticsearch) in one JVM with a bounded heap, on a loopback
port, stopped when the session ends."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from recordsys.config import REPO_ROOT

MAIN = "org.codelibs.elasticsearch.runner.ElasticsearchClusterRunner"
_PORT = re.compile(r"HttpServerTransport\] publish_address \{127\.0\.0\.1:(\d+)\}")


def home() -> Path:
    return Path(os.environ.get("RECORDSYS_ELASTICSEARCH_HOME", REPO_ROOT / ".tools" / "elasticsearch"))


def available() -> bool:
    return any((home() / "lib").glob("elasticsearch-cluster-runner-*.jar"))


class ElasticsearchNode:
    def __init__(self, heap: str = "768m"):
        self.base = Path(tempfile.mkdtemp(prefix="recordsys-es-"))
        self.log = self.base / "node.log"
        self.heap = heap
        self.process = None
        self.url = None

    def start(self, timeout: float = 120) -> ElasticsearchNode:
        cmd = ["java", f"-Xms{self.heap}", f"-Xmx{self.heap}", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
               "-cp", str(home() / "lib" / "*"), MAIN, "-basePath", str(self.base / "cluster"),
               "-numOfNode", "1", "-clusterName", f"recordsys-test-{os.getpid()}"]
        self.process = subprocess.Popen(cmd, stdout=open(self.log, "wb"), stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Elasticsearch exited: {self.log.read_text(errors='replace')[-800:]}")
            match = _PORT.search(self.log.read_text(errors="replace"))
            if match and self._green(f"http://127.0.0.1:{match.group(1)}"):
                self.url = f"http://127.0.0.1:{match.group(1)}"
                return self
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"Elasticsearch did not start in {timeout:.0f} s")

    @staticmethod
    def _green(url: str) -> bool:
        try:
            with urllib.request.urlopen(f"{url}/_cluster/health?wait_for_status=yellow&timeout=1s", timeout=3) as r:
                return r.status == 200
        except Exception:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        import shutil

        shutil.rmtree(self.base, ignore_errors=True)
