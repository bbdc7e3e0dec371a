"""Fuzzing the readers of outside input with mutated copies of valid files.

Readers: ``pdf`` (the intake check: pikepdf/pypdf extraction and pyHanko validation, as
``recordsys.ingest.checker`` runs them, then text extraction), ``bagit``
(``recordsys.preservation.bagcheck.verify_bag``) and ``edxml``
(``recordsys.exchange.reading.read_envelope``).

Each reader runs in a worker process of its own, under an address-space limit, fed one input at a
time through a pipe; an input that takes longer than the time limit is a *hang* (the worker is
killed and started again), an exception out of the reader or a dead worker is a *crash*, and every
answer must be a verdict with a reason. The workers report their peak RSS. The mutations are drawn
from a seeded generator, so a run is repeatable: ``cases(reader, seed, n)`` gives the same inputs.

Used by tests/fuzz/test_fuzz.py (a short pass) and bench/fuzz.py (a long one).
"""
from __future__ import annotations

import multiprocessing
import os
import random
import re
import resource
import tempfile
import time
import traceback
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"
READERS = ("pdf", "bagit", "edxml")
MAX_INPUT = 1 << 20  # mutated inputs are capped at 1 MiB
MEMORY_LIMIT = 2 << 30  # address space of a worker

# --- the readers (run inside the worker) -----------------------------------------------------


def _read_pdf(data: bytes) -> tuple[str, str]:
    from recordsys.ingest.checker import CheckContext, _local_checks, _verdict
    from recordsys.ingest.extract import Unreadable, extract_text

    with tempfile.TemporaryDirectory(prefix="fuzz-pdf-") as tmp:
        path = Path(tmp) / "input.pdf"
        path.write_bytes(data)
        ctx = CheckContext(trust_roots=[], verapdf=None)
        verdict = _verdict(_local_checks(path, ctx), None, ctx)
        if verdict.signature.status != "unreadable":
            try:
                extract_text(path)  # what registration reads for search
            except Unreadable:
                pass
    reason = "; ".join(verdict.reasons) or (verdict.signature.error or "") or f"signature {verdict.signature.status}"
    return ("accepted" if verdict.accepted else "refused"), reason


def _read_bag(files: dict[str, bytes]) -> tuple[str, str]:
    from recordsys.preservation.bagcheck import verify_bag

    with tempfile.TemporaryDirectory(prefix="fuzz-bag-") as tmp:
        root = Path(tmp) / "bag"
        root.mkdir()
        for name, data in files.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        report = verify_bag(root, processes=1)
    if report.valid:
        return "valid", f"{report.files} files verified"
    return "invalid", report.errors[0] if report.errors else ""


def _read_edxml(data: bytes) -> tuple[str, str]:
    from recordsys.exchange.reading import read_envelope

    result = read_envelope(data)
    if result.valid:
        return "valid", f"{result.kind} envelope"
    return "invalid", str(result.errors[0]) if result.errors else ""


def _selftest(data: bytes) -> tuple[str, str]:
    """The harness's own check: b"hang" never returns, b"crash" raises, b"die" kills the worker,
    b"silent" answers without a reason, b"hog" allocates past the memory limit."""
    if data == b"hang":
        time.sleep(3600)
    if data == b"crash":
        raise ValueError("a reader that raises")
    if data == b"die":
        os._exit(3)
    if data == b"hog":
        return "ok", str(len(b"x" * (4 << 30)))
    return ("ok", "") if data == b"silent" else ("ok", "fine")


RUNNERS = {"pdf": _read_pdf, "bagit": _read_bag, "edxml": _read_edxml, "_selftest": _selftest}
_WARM = {"_selftest": (), "pdf": ("recordsys.ingest.checker", "recordsys.ingest.extract", "pyhanko.sign.validation", "pypdf"),
         "bagit": ("recordsys.preservation.bagcheck",), "edxml": ("recordsys.exchange.reading",)}


def _worker(conn, reader: str, memory_limit: int) -> None:
    import importlib
    import logging
    import warnings

    resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    logging.disable(logging.CRITICAL)  # pypdf and pyHanko log every oddity of a broken file
    warnings.simplefilter("ignore")
    for module in _WARM[reader]:
        importlib.import_module(module)
    conn.send("ready")
    run = RUNNERS[reader]
    while True:
        data = conn.recv()
        if data is None:
            return
        try:
            verdict, reason = run(data)
            out = ("ok", verdict, reason)
        except BaseException as exc:
            out = ("crash", type(exc).__name__, "".join(traceback.format_exception(exc))[-2000:])
        conn.send((*out, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024))


# --- running ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    kind: str  # ok | crash | hang
    verdict: str = ""
    reason: str = ""
    seconds: float = 0.0


class Worker:
    """One reader in a child process; started again after a hang or a crash that killed it."""

    def __init__(self, reader: str, timeout: float, memory_limit: int = MEMORY_LIMIT):
        self.reader, self.timeout, self.memory_limit = reader, timeout, memory_limit
        self.peak_rss_mb = 0
        self.process = None
        self._start()

    def _start(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, self.reader, self.memory_limit), daemon=True)
        self.process.start()
        child.close()
        if not self.conn.poll(120) or self.conn.recv() != "ready":
            raise RuntimeError(f"the {self.reader} worker did not start")

    def _kill(self) -> None:
        self.process.kill()
        self.process.join(10)

    def run(self, data) -> Outcome:
        started = time.monotonic()
        try:
            self.conn.send(data)
            if not self.conn.poll(self.timeout):
                self._kill()
                self._start()
                return Outcome("hang", seconds=time.monotonic() - started)
            kind, verdict, reason, rss = self.conn.recv()
        except (EOFError, BrokenPipeError, ConnectionResetError):
            self.process.join(10)
            code = self.process.exitcode
            self._start()
            return Outcome("crash", "died", f"the worker died (exit code {code})", time.monotonic() - started)
        self.peak_rss_mb = max(self.peak_rss_mb, rss)
        return Outcome(kind, verdict, reason, time.monotonic() - started)

    def close(self) -> None:
        try:
            self.conn.send(None)
            self.process.join(10)
        except (BrokenPipeError, OSError):
            pass
        if self.process.is_alive():
            self._kill()


# --- mutations -------------------------------------------------------------------------------

_INTERESTING = [b"\x00", b"\xff", b"\x7f", b"\x80", b"(", b")", b"<", b">", b"/", b"\n", b"%", b"&", b"\xc3"]
_NUMBERS = [b"0", b"-1", b"4294967296", b"99999999999999999999", b"1e400", "٣".encode(), b"2147483648", b"-0.0"]
_NUMBER = re.compile(rb"\d+")


def _flip(rng, data, corpus):
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if data:
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    return bytes(data)


def _interesting(rng, data, corpus):
    if not data:
        return rng.choice(_INTERESTING)
    i = rng.randrange(len(data))
    return data[:i] + rng.choice(_INTERESTING) + data[i + 1:]


def _delete(rng, data, corpus):
    if len(data) < 2:
        return b""
    i = rng.randrange(len(data))
    return data[:i] + data[i + rng.randint(1, max(1, min(512, len(data) - i))):]


def _duplicate(rng, data, corpus):
    if not data:
        return data
    i = rng.randrange(len(data))
    chunk = data[i:i + rng.randint(1, 256)]
    j = rng.randrange(len(data))
    return data[:j] + chunk * rng.randint(1, 64) + data[j:]


def _insert_random(rng, data, corpus):
    i = rng.randrange(len(data) + 1)
    return data[:i] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 64))) + data[i:]


def _truncate(rng, data, corpus):
    return data[:rng.randrange(len(data) + 1)]


def _number(rng, data, corpus):
    matches = list(_NUMBER.finditer(data))
    if not matches:
        return _interesting(rng, data, corpus)
    m = rng.choice(matches)
    return data[:m.start()] + rng.choice(_NUMBERS) + data[m.end():]


def _splice(rng, data, corpus):
    other = rng.choice(corpus)
    i, j = rng.randrange(len(data) + 1), rng.randrange(len(other) + 1)
    return data[:i] + other[j:]


def _nest(rng, data, corpus):
    """Repeat a short run of bytes many times (deep nesting, long tokens)."""
    if not data:
        return data
    i = rng.randrange(len(data))
    run = data[i:i + rng.randint(1, 8)]
    return data[:i] + run * rng.randint(100, 20_000) + data[i:]


BYTE_MUTATORS = (_flip, _interesting, _delete, _duplicate, _insert_random, _truncate, _number, _splice, _nest)

_ODD_TEXTS = ["", " ", "٣", "²", "-1", "0", "99999999999999999999", "1e400", "NaN", "2026-02-30", "9999-99-99",
              "x" * 5000, "<![CDATA[", "&amp;", "\u200b", "000.00.00.H41" * 20, "true", "AAAA====", "=" * 77]


def _xml_tree(rng, data, corpus):
    """Well-formed XML with one element changed (text, removed, repeated, emptied): exercises the
    reading of the envelope's fields rather than the XML parser."""
    from lxml import etree

    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    except etree.XMLSyntaxError:
        return _flip(rng, data, corpus)
    elements = list(root.iter())
    for _ in range(rng.randint(1, 3)):
        node = rng.choice(elements)
        action = rng.random()
        parent = node.getparent()
        if action < 0.5:
            node.text = rng.choice(_ODD_TEXTS)
        elif action < 0.65 and parent is not None:
            parent.remove(node)
            elements = list(root.iter())
        elif action < 0.8 and parent is not None:
            import copy

            for _ in range(rng.choice([1, 2, 50])):
                parent.append(copy.deepcopy(node))
            elements = list(root.iter())
        elif action < 0.9:
            for child in list(node):
                node.remove(child)
            elements = list(root.iter())
        else:
            node.set(rng.choice(["id", "Id", "Type"]), rng.choice(_ODD_TEXTS[:8]))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def mutate_bytes(rng: random.Random, data: bytes, corpus: list[bytes], structured=None) -> bytes:
    if structured is not None and rng.random() < 0.5:
        return structured(rng, data, corpus)[:MAX_INPUT]
    for _ in range(rng.randint(1, 3)):
        data = rng.choice(BYTE_MUTATORS)(rng, data, corpus)[:MAX_INPUT]
    return data


def mutate_bag(rng: random.Random, files: dict[str, bytes]) -> dict[str, bytes]:
    files = dict(files)
    names = sorted(files)
    choice = rng.random()
    if choice < 0.65:  # change a file's bytes (tag files mostly: they are what is parsed)
        tags = [n for n in names if not n.startswith("data/")]
        name = rng.choice(tags if rng.random() < 0.8 else names)
        files[name] = mutate_bytes(rng, files[name], [files[n] for n in names])
    elif choice < 0.75:
        del files[rng.choice(names)]
    elif choice < 0.85:
        files[rng.choice(["data/them.txt", "data/van-ban/../thoat.txt", "metadata/x.txt", "fetch.txt"])] = \
            bytes(rng.randrange(256) for _ in range(rng.randint(0, 64)))
    elif choice < 0.95:  # rename a file: other normalization, other case
        name = rng.choice([n for n in names if n.startswith("data/")] or names)
        other = unicodedata.normalize("NFD", name) if rng.random() < 0.5 else name.upper().replace("DATA/", "data/")
        files[other] = files.pop(name)
    else:  # a manifest line for a path outside the bag
        files["manifest-sha256.txt"] = files.get("manifest-sha256.txt", b"") + b"0" * 64 + b"  data/../../etc/passwd\n"
    return {n: d for n, d in files.items() if ".." not in Path(n).parts}


def load_corpus(reader: str):
    if reader == "bagit":
        root = CORPUS / "bag"
        return [{p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}]
    folder = CORPUS / ("pdf" if reader == "pdf" else "edxml")
    return [p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()]


def cases(reader: str, seed: int, n: int | None = None):
    """The mutated inputs of one reader (endless when ``n`` is None), the same for the same seed."""
    rng = random.Random(f"{reader}:{seed}")
    corpus = load_corpus(reader)
    i = 0
    while n is None or i < n:
        base = rng.choice(corpus)
        if reader == "bagit":
            yield mutate_bag(rng, base)
        else:
            yield mutate_bytes(rng, base, corpus, _xml_tree if reader == "edxml" else None)
        i += 1


# --- a pass ----------------------------------------------------------------------------------


@dataclass
class Report:
    reader: str
    runs: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    crashes: list[tuple[int, str]] = field(default_factory=list)
    hangs: list[int] = field(default_factory=list)
    no_reason: list[int] = field(default_factory=list)
    peak_rss_mb: int = 0
    slowest: float = 0.0
    seconds: float = 0.0

    @property
    def clean(self) -> bool:
        return not (self.crashes or self.hangs or self.no_reason)

    def line(self) -> str:
        verdicts = ", ".join(f"{k} {v}" for k, v in sorted(self.verdicts.items()))
        return (f"{self.reader:<6} runs {self.runs:>6}  crashes {len(self.crashes):>3}  hangs {len(self.hangs):>3}  "
                f"no reason {len(self.no_reason):>3}  peak RSS {self.peak_rss_mb:>5} MB  "
                f"slowest {self.slowest:6.2f} s  ({verdicts})")


def fuzz(reader: str, *, seed: int = 2026, n: int | None = None, until: float | None = None,
         timeout: float = 10.0, save: Path | None = None) -> Report:
    """Run ``n`` mutated inputs (or until the monotonic time ``until``) through ``reader``."""
    report = Report(reader)
    started = time.monotonic()
    worker = Worker(reader, timeout)
    try:
        for i, data in enumerate(cases(reader, seed, n)):
            if until is not None and time.monotonic() >= until:
                break
            outcome = worker.run(data)
            report.runs += 1
            report.slowest = max(report.slowest, outcome.seconds)
            if outcome.kind == "hang":
                report.hangs.append(i)
            elif outcome.kind == "crash":
                report.crashes.append((i, f"{outcome.verdict}: {outcome.reason}"))
            else:
                report.verdicts[outcome.verdict] = report.verdicts.get(outcome.verdict, 0) + 1
                if not outcome.reason.strip():
                    report.no_reason.append(i)
            if save is not None and outcome.kind != "ok":
                _save(save, reader, seed, i, data, outcome)
    finally:
        report.peak_rss_mb = worker.peak_rss_mb
        worker.close()
    report.seconds = time.monotonic() - started
    return report


def _save(folder: Path, reader: str, seed: int, i: int, data, outcome: Outcome) -> None:
    target = folder / f"{reader}-{seed}-{i:06d}-{outcome.kind}"
    if isinstance(data, dict):
        for name, content in data.items():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(content)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (folder / f"{target.name}.txt").write_text(f"{outcome.kind} {outcome.verdict}\n{outcome.reason}\n")

