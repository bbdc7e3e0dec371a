"""A real local SMTP server for the tests: aiosmtpd run as a subprocess on a free loopback port,
storing each message in a maildir."""
from __future__ import annotations

import mailbox
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from pathlib import Path

from tests.common.components import missing


@dataclass
class SmtpServer:
    host: str
    port: int
    maildir: Path
    process: subprocess.Popen

    def messages(self) -> list:
        box = mailbox.Maildir(str(self.maildir), factory=None, create=False)
        return [BytesParser(policy=policy.default).parsebytes(m.as_bytes()) for m in box]

    def wait_for(self, count: int, timeout: float = 10) -> list:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            found = self.messages()
            if len(found) >= count:
                return found
            time.sleep(0.1)
        return self.messages()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_smtp(folder: Path) -> SmtpServer:
    try:
        import aiosmtpd  # noqa: F401
    except ImportError:
        missing("aiosmtpd", "pip install -e '.[test]'")
    maildir = folder / "maildir"
    mailbox.Maildir(str(maildir), create=True)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox",
         str(maildir)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    end = time.monotonic() + 15
    while time.monotonic() < end:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace")
            missing("aiosmtpd", f"the SMTP server did not start: {output[-500:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return SmtpServer("127.0.0.1", port, maildir, process)
        except OSError:
            time.sleep(0.1)
    process.kill()
    missing("aiosmtpd", "the SMTP server did not listen within 15 s")
