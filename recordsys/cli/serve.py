"""`recordsys serve`: the web application on waitress.

One waitress process runs Python on one core at a time (the interpreter lock), however many threads
it has. ``--workers N`` forks N such processes that accept on the same listening socket, so a
machine's cores all serve requests; each worker builds its own application (own database pool);
the embedded job consumer, when configured, runs in the first worker only.
Each worker dies with its parent (SIGKILL included, Linux ``PR_SET_PDEATHSIG``), so a supervisor
that kills ``serve`` never leaves orphans holding the port.
"""
from __future__ import annotations

import os
import signal
import socket
import sys

import click

from recordsys.cli.context import pass_env
from recordsys.i18n import translate

#: bytes of one request body kept in memory before waitress spools it to a temporary file
INBUF_OVERFLOW = 4 * 1024 * 1024
#: bytes asked of the socket per read (waitress reads 8 KB at a time by default: 170 reads per 1 MB envelope)
RECV_BYTES = 256 * 1024
_PR_SET_PDEATHSIG = 1


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=6543, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes sharing the port (one per core uses every core).")
@pass_env
def serve(env, host, port, threads, workers):
    """Serve the web application and the JSON API."""
    click.echo(translate("recordsys: http://${host}:${port}/  (API: http://${host}:${port}/api/v1/health)", env.lang, {"host": host, "port": port}))
    if workers == 1:
        _serve(env.settings, threads, host=host, port=port)
        return
    listener = socket.create_server((host, port), backlog=1024, reuse_port=False)
    # the embedded job consumer (jobs.in_process) and its periodic jobs run in the first worker only
    quiet = {**env.settings, "jobs.in_process": "false"}
    children = [_fork_worker(env.settings if n == 0 else quiet, threads, listener) for n in range(workers)]
    _supervise(children)


def _serve(settings: dict, threads: int, **where) -> None:
    import waitress

    from recordsys.config import make_wsgi_app

    keep_large_buffers()
    # the audit events of all requests are sealed into the chain by one thread of each process
    app = make_wsgi_app({**settings, "audit.seal": "background"})
    # Request bodies up to INBUF_OVERFLOW stay in memory (waitress's default spills anything over
    # 512 KB to a temporary file first: every 1 MB envelope would be written and read back once more).
    waitress.serve(app, threads=threads, ident="recordsys", inbuf_overflow=INBUF_OVERFLOW, recv_bytes=RECV_BYTES, **where)


#: glibc ``mallopt`` parameters, and the values ``serve`` gives them
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD = 32 * 1024 * 1024
TRIM_THRESHOLD = 64 * 1024 * 1024


def keep_large_buffers() -> None:
    """Let glibc reuse the memory of large buffers instead of mapping fresh pages for each.

    By default every allocation over 128 KB (each copy of a 1 MB envelope: the socket reads, the
    body, the parser's text, the base64 check) is a new ``mmap`` whose pages the kernel faults in
    and zeroes one by one, then unmaps: bench/exchange.py measured a fifth of the hub's CPU in those
    page faults. Only above the thresholds (a 64 MB envelope, the largest accepted, is above the
    first) is memory mapped and given back as before. Nothing happens where the C library is not glibc.
    """
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)


def _fork_worker(settings: dict, threads: int, listener: socket.socket) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:
        _die_with_parent()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _serve(settings, threads, sockets=[listener])
    except BaseException:  # a worker must never return into the parent's code
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def _supervise(children: list[int]) -> None:
    """Wait for the workers; SIGTERM/SIGINT are passed on to them. One worker ending ends all."""

    asked = []

    def stop(signum, _frame):
        asked.append(signum)
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    _, status = os.wait()
    told_to_stop = bool(asked)
    stop(signal.SIGTERM, None)
    for _ in children[1:]:
        try:
            os.wait()
        except ChildProcessError:
            break
    sys.exit(0 if told_to_stop else (os.waitstatus_to_exitcode(status) or 1))
