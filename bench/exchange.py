"""Envelopes per second through our hub, against raw HTTP of the same bytes, in one run.

The hub is a real ``recordsys serve`` process on a throwaway PostgreSQL server with durability on
(fsync, synchronous_commit and full_page_writes on; files fsynced by the store). Each envelope
carries a 1 MB signed PDF (PAdES, test PKI), is itself signed (XML-DSig) and is distinct (its own
number, so its own digest: the content-addressed store writes and fsyncs every one); ``--clients``
threads POST ``sendEdoc`` with the axis headers (HMAC, hash-file, fresh timestamp) on keep-alive
connections for ``--seconds``. The baseline is the same bytes POSTed by the same clients to a
trivial WSGI app on waitress (same thread count) that reads the body and answers a small JSON, twice:
on waitress's defaults (which spill bodies over 512 KB to a temporary file and read 8 KB at a time)
and on the settings ``recordsys serve`` uses.
The floor is what no hub can skip, in the leanest Python (``FLOOR``: hash, hardened parse, base64
check, file write + fsync, one durable INSERT; no authentication, routing, audit trail, framework or
ORM), one process per hub worker: how far the hub is from the work itself on this machine.

    python bench/exchange.py [--seconds 15] [--clients 8] [--workers N] [--envelopes 3200]

``--workers`` is the hub's ``recordsys serve --workers``: by default one process per core, as a hub is
deployed (README, Production); ``--workers 1`` measures one process. The baselines stay one trivial
waitress process each with the same thread count.

Targets (issue #14): >= 200 envelopes/s and >= 0.3x the baseline.
"""
from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.common.installations import Installation
from tests.common.postgres import PostgresServer, find_bindir, free_port

OFFICE, MINISTRY = "000.00.01.H41", "000.00.00.G09"
SYSTEM, SECRET = "00.41.W00", "bench-secret"

#: The baseline: reads the body and answers; on waitress's default settings, or (``tuned``) on the
#: settings ``recordsys serve`` gives waitress and glibc.
TRIVIAL = """
import sys, waitress
from recordsys.cli.serve import INBUF_OVERFLOW, RECV_BYTES, keep_large_buffers
def app(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length)
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b'{"status":"OK","ErrorCode":"0","size":%d}' % len(body)]
tuned = sys.argv[3] == "tuned"
if tuned:
    keep_large_buffers()
waitress.serve(app, host="127.0.0.1", port=int(sys.argv[1]), threads=int(sys.argv[2]), ident="trivial",
               **(dict(inbuf_overflow=INBUF_OVERFLOW, recv_bytes=RECV_BYTES) if tuned else {}))
"""

#: What no hub can skip, in the leanest Python on the same server settings: read the body, hash it,
#: parse it (hardened parser), check each attachment is strict base64, write it and fsync it, one
#: durable INSERT. No authentication, routing, audit trail, web framework or ORM.
FLOOR = """
import hashlib, os, socket, sys, threading, psycopg2.pool, waitress
from lxml import etree
from recordsys.cli.serve import INBUF_OVERFLOW, RECV_BYTES, keep_large_buffers
from recordsys.exchange.attachments import compact_base64
from recordsys.exchange.safexml import parse_untrusted
port, threads, dsn, folder = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
keep_large_buffers()
pool = psycopg2.pool.ThreadedConnectionPool(1, threads, dsn)
conn = pool.getconn()
with conn.cursor() as cur:
    cur.execute("CREATE TABLE IF NOT EXISTS floor (id serial PRIMARY KEY, sha256 text, size int, at timestamptz DEFAULT now())")
conn.commit(); pool.putconn(conn)
def app(environ, start_response):
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    digest = hashlib.sha256(body).hexdigest()
    root, error = parse_untrusted(body)
    for node in (root.iter("{*}ContentTransferEncoded") if root is not None else ()):
        compact_base64(etree.tostring(node, method="text", encoding="utf-8", with_tail=False))
    temporary = os.path.join(folder, "%s.%d" % (digest, threading.get_ident()))
    with open(temporary, "wb") as handle:
        handle.write(body); handle.flush(); os.fsync(handle.fileno())
    os.replace(temporary, os.path.join(folder, digest))
    fd = os.open(folder, os.O_RDONLY); os.fsync(fd); os.close(fd)
    conn = pool.getconn()
    try:
        with conn.cursor() as cur:
            cur.execute("INSERT INTO floor (sha256, size) VALUES (%s, %s)", (digest, len(body)))
        conn.commit()
    finally:
        pool.putconn(conn)
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b'{"status":"OK","ErrorCode":"0"}']
listener = socket.create_server(("127.0.0.1", port), backlog=1024, reuse_port=True)  # one per process
waitress.serve(app, sockets=[listener], threads=threads, ident="floor", inbuf_overflow=INBUF_OVERFLOW,
               recv_bytes=RECV_BYTES)
"""


def big_signed_pdf(folder: Path, pki, size: int = 1024 * 1024) -> Path:
    """A PDF with about ``size`` bytes of incompressible image data, signed (PAdES) by the test PKI."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from tests.common.pdfs import sign

    try:
        from PIL import Image
    except ImportError:  # pragma: no cover
        sys.exit("Pillow is needed to make the 1 MB attachment.")
    side = int((size / 3 / 1.3) ** 0.5) + 1  # reportlab stores the image flate + ASCII85 (about 1.3x)
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    source = folder / "big.src.pdf"
    c = canvas.Canvas(str(source))
    c.drawString(72, 800, "UY BAN NHAN DAN TINH KHANH HOA - 125/UBND-VP")
    c.drawImage(ImageReader(image), 72, 200, width=450, height=450)
    c.showPage()
    c.save()
    return sign(pki, source, folder / "big.pdf")


def _envelope(job: tuple) -> bytes:
    from recordsys.exchange.pack import envelope_for_document
    from recordsys.exchange.signing import sign_envelope

    n, pdf, key_pem, cert_pem = job
    meta = {"sender_id": OFFICE, "sender_name": "Văn phòng UBND tỉnh Khánh Hòa", "code_number": str(100 + n),
            "code_notation": "UBND-VP", "promulgation_date": "2026-11-27", "document_type": 1,
            "subject": f"Về việc triển khai chuyển đổi số trong công tác văn thư, lưu trữ (đợt {n})",
            "recipient_names": {MINISTRY: "Bộ Nội vụ"}}
    return sign_envelope(envelope_for_document(meta, [(f"{100 + n}-UBND-VP.pdf", pdf)], [MINISTRY]), key_pem, cert_pem)


def envelopes(pdf: Path, count: int, key_pem: bytes, cert_pem: bytes) -> list[bytes]:
    """``count`` distinct signed envelopes (each its own number, so its own bytes and digest: the
    hub's content-addressed store writes and fsyncs every one), made on every core."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor() as pool:
        return list(pool.map(_envelope, [(n, pdf, key_pem, cert_pem) for n in range(count)], chunksize=16))


def run_clients(port: int, path: str, bodies: list[list[bytes]], headers_for, seconds: float) -> tuple[int, int, int]:
    """(successes, failures, repeats) of POSTs by one thread per list of ``bodies``, each sending its
    bodies in turn for ``seconds``; ``repeats``: requests that sent a body a second time."""
    stop = time.monotonic() + seconds
    counts = [[0, 0, 0] for _ in bodies]

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        own, sent = bodies[i], 0
        while time.monotonic() < stop:
            body = own[sent % len(own)]
            counts[i][2] += sent >= len(own)
            sent += 1
            try:
                conn.request("POST", path, body=body, headers=headers_for(body))
                response = conn.getresponse()
                answer = response.read()
                ok = response.status == 200 and (b'"ErrorCode": "0"' in answer or b'"ErrorCode":"0"' in answer)
                counts[i][0 if ok else 1] += 1
                if not ok and counts[i][1] == 1:
                    print(f"client {i}: HTTP {response.status} {answer[:300]!r}", file=sys.stderr)
            except (OSError, http.client.HTTPException) as exc:
                counts[i][1] += 1
                print(f"client {i}: {exc}", file=sys.stderr)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tuple(sum(c[k] for c in counts) for k in range(3))


def settle() -> None:
    """Between two runs: what the last one wrote reaches the disk now, not during the next one."""
    os.sync()
    time.sleep(2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--threads", type=int, default=8, help="Server threads (hub and baseline).")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="Hub server processes (recordsys serve --workers); default one per core, as the hub "
                             "is deployed (README, Production). --workers 1 measures a single process.")
    parser.add_argument("--envelopes", type=int, default=3200,
                        help="Distinct envelopes shared out among the clients (about 1.4 MB of memory each). None "
                             "reaches the hub twice unless it takes more than this in --seconds (the output says).")
    args = parser.parse_args()
    bindir = find_bindir()
    if bindir is None:
        sys.exit("PostgreSQL server binaries not found (apt-get install postgresql).")
    from recordsys import migrate
    from recordsys.exchange.axis import hash_file, signed_headers
    from tests.common.pki import make_pki

    server = PostgresServer(bindir).start(durable=True)
    repo = Path(__file__).resolve().parent.parent
    others: list[subprocess.Popen] = []
    hub = None
    try:
        with tempfile.TemporaryDirectory(prefix="recordsys-bench-exchange-") as tmp:
            tmp = Path(tmp)
            pki = make_pki(tmp / "pki")
            party = pki.signers["good"]
            pdf = big_signed_pdf(tmp, pki)
            warm = 300
            signed = envelopes(pdf, args.envelopes + warm, party.key_path.read_bytes(), party.cert_path.read_bytes())
            bodies, warm_up = [signed[warm + i::args.clients] for i in range(args.clients)], [signed[:warm]]
            server.execute("CREATE DATABASE hub")
            migrate.upgrade({"sqlalchemy.url": server.url("hub")})
            hub = Installation("hub", server.url("hub"), tmp / "hub")
            hub.cli("exchange", "member", "add", "--system-id", SYSTEM, "--organ", OFFICE, "--secret", SECRET)
            hub.cli("exchange", "member", "add", "--system-id", "00.09.W00", "--organ", MINISTRY)
            hub.COMMANDS = {**hub.COMMANDS, "serve": lambda i: ["serve", "--port", str(i.port), "--threads",
                                                                  str(args.threads), "--workers", str(args.workers)]}
            hub.start("serve")
            ports = {"default": free_port(), "tuned": free_port(), "floor": free_port()}
            for kind in ("default", "tuned"):
                others.append(subprocess.Popen([sys.executable, "-c", TRIVIAL, str(ports[kind]), str(args.threads), kind],
                                               cwd=repo))
            (tmp / "floor").mkdir()
            server.execute("CREATE DATABASE floor")
            others += [subprocess.Popen([sys.executable, "-c", FLOOR, str(ports["floor"]), str(args.threads),
                                         server.url("floor").replace("+psycopg2", ""), str(tmp / "floor")], cwd=repo)
                       for _ in range(args.workers)]
            time.sleep(1.5)

            digests = {id(body): hash_file(body) for body in signed}  # a sender hashes an envelope once

            def axis_headers(body: bytes) -> dict:  # fresh timestamp and HMAC on every request
                return signed_headers(SYSTEM, SECRET, {"from": OFFICE, "servicetype": "eDoc", "messagetype": "edoc",
                                                       "hash-file": digests[id(body)]},
                                      content_type="application/octet-stream")

            print(f"envelope: {len(signed[0]) / 1e6:.2f} MB (attachment {pdf.stat().st_size / 1e6:.2f} MB, signed PDF; "
                  f"envelope XML-DSig signed); {args.clients} clients, {args.threads} server threads, "
                  f"hub {args.workers} process(es), {args.envelopes} distinct envelopes, "
                  f"{args.seconds:.0f} s each; PostgreSQL fsync/synchronous_commit on; {os.cpu_count()} CPUs")
            runs = {"baseline (raw HTTP POST, waitress defaults)": ports["default"],
                    "baseline (raw HTTP POST, waitress as serve sets it)": ports["tuned"],
                    "hub sendEdoc (durable)": hub.port,
                    "floor (hash, parse, base64, fsync, one INSERT; no auth/routing/audit/framework)": ports["floor"]}
            for port in runs.values():
                run_clients(port, "/axis/sendEdoc", warm_up, axis_headers, 1)
            rates = {}
            for name, port in runs.items():
                settle()
                ok, failed, repeats = run_clients(port, "/axis/sendEdoc", bodies, axis_headers, args.seconds)
                rates[name] = ok / args.seconds
                twice = f", {repeats} sent twice: raise --envelopes" if repeats and port == hub.port else ""
                print(f"{name}: {rates[name]:.1f}/s ({failed} failed{twice})")
            hub_rate = rates["hub sendEdoc (durable)"]
            ratios = [hub_rate / rate if rate else 0.0 for name, rate in rates.items() if name.startswith("baseline")]
            print(f"ratio hub/baseline: {ratios[0]:.2f}x (waitress defaults), {ratios[1]:.2f}x (as serve sets it)   "
                  f"targets: >= 200 envelopes/s [{'met' if hub_rate >= 200 else 'NOT met'}], >= 0.3x "
                  f"[{' / '.join('met' if r >= 0.3 else 'NOT met' for r in ratios)}]")
            hub.stop()
    finally:
        for process in others:
            process.terminate()
            process.wait(timeout=10)
        if hub is not None:
            hub.stop()
        server.stop()


if __name__ == "__main__":
    main()
