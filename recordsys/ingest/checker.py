"""The intake check of a batch of files: signatures, PDF/A, extraction, the acceptance decision.

veraPDF (one JVM per batch, in a subprocess) runs at the same time as the Python side (hashing,
extraction, pyHanko validation), so on two cores the signatures hide behind veraPDF.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from recordsys.ingest import signatures
from recordsys.ingest.extract import Extracted, Unreadable, extract
from recordsys.ingest.messages import reason_text, sentence
from recordsys.ingest.pdfa import (
    NOT_DECLARED,
    PdfaVerdict,
    VeraPdf,
    VeraPdfMissing,
    parse_report,
)
from recordsys.ingest.policy import AcceptancePolicy, Reason, decide

DEFAULT_MAX_SIZE = 200 * 1024 * 1024


@dataclass(frozen=True)
class CheckContext:
    """Everything a verdict depends on, passed in so that a decision can be replayed."""

    trust_roots: list
    verapdf: VeraPdf | None
    policy: AcceptancePolicy = AcceptancePolicy()
    direction: str = "incoming"
    lang: str = "vi"
    now: dt.datetime | None = None
    allow_fetching: bool = False
    max_size: int = DEFAULT_MAX_SIZE
    batch_size: int = 250


@dataclass(frozen=True)
class FileVerdict:
    file: str
    sha256: str | None
    size: int | None
    signature: signatures.SignatureVerdict
    pdfa: PdfaVerdict | None
    accepted: bool
    reasons: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    extracted: Extracted | None = field(default=None, compare=False)

    def to_dict(self) -> dict:
        """The JSON contract of ``recordsys ingest check --json``."""
        out = {
            "file": self.file, "sha256": self.sha256, "size": self.size,
            "signature": self.signature.to_dict(),
            "pdfa": self.pdfa.to_dict() if self.pdfa else None,
            "accepted": self.accepted, "reasons": list(self.reasons), "flags": list(self.flags),
        }
        if self.extracted:
            out["extracted"] = self.extracted.to_dict()
        return out


@dataclass
class _Local:
    path: Path
    sha256: str | None = None
    size: int | None = None
    signature: signatures.SignatureVerdict | None = None
    extracted: Extracted | None = None


def _local_checks(path: Path, ctx: CheckContext) -> _Local:
    item = _Local(path)
    try:
        item.size = path.stat().st_size
        if item.size == 0:
            item.signature = signatures.SignatureVerdict("unreadable", error="the file is empty (0 bytes)")
            return item
        if item.size > ctx.max_size:
            item.signature = signatures.SignatureVerdict(
                "unreadable", error=f"the file is larger than the {ctx.max_size // (1024 * 1024)} MB limit")
            item.sha256 = _hash_file(path)
            return item
        data = path.read_bytes()
    except OSError as exc:
        item.signature = signatures.SignatureVerdict("unreadable", error=f"cannot read the file ({exc.strerror})")
        return item
    item.sha256 = hashlib.sha256(data).hexdigest()
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        item.signature = signatures.SignatureVerdict("unreadable", error="not a PDF file (no %PDF- header)")
        return item
    try:
        item.extracted = extract(path, with_text=False)  # text is read at registration only
    except Unreadable as exc:
        item.signature = signatures.SignatureVerdict("unreadable", error=str(exc))
        return item
    item.signature = signatures.validate(data, ctx.trust_roots, ctx.now, ctx.allow_fetching)
    return item


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _verdict(item: _Local, pdfa: PdfaVerdict | None, ctx: CheckContext) -> FileVerdict:
    if item.signature.status == "unreadable":
        pdfa = None
    elif item.extracted and item.extracted.pdfa_declared is None:
        pdfa = NOT_DECLARED
    decision = decide(item.signature, pdfa, ctx.policy, ctx.direction)
    reasons = tuple(reason_text(r, ctx.lang) for r in decision.reasons)
    return FileVerdict(str(item.path), item.sha256, item.size, item.signature, pdfa, decision.accepted,
                       reasons, decision.flags, item.extracted)


def check_files(paths: Iterable, ctx: CheckContext,
                progress: Callable[[Path], None] | None = None) -> Iterator[FileVerdict]:
    """Check files in batches; yields one verdict per file, in the order given."""
    paths = [Path(p) for p in paths]
    for start in range(0, len(paths), ctx.batch_size):
        yield from _check_batch(paths[start:start + ctx.batch_size], ctx, progress)


def _check_batch(batch: list[Path], ctx: CheckContext, progress) -> Iterator[FileVerdict]:
    if ctx.verapdf is None or not ctx.verapdf.available():
        raise VeraPdfMissing("veraPDF is not installed: run scripts/install-verapdf.")
    # absolute paths: veraPDF reports each file under the name it was given
    candidates = [p.resolve() for p in batch if p.is_file() and 0 < p.stat().st_size <= ctx.max_size]
    with tempfile.TemporaryFile() as report:
        process = None
        if candidates:
            process = subprocess.Popen(ctx.verapdf.command(candidates), stdout=report,
                                       stderr=subprocess.DEVNULL)
        local = []
        for path in batch:
            local.append(_local_checks(path, ctx))
            if progress:
                progress(path)
        pdfa: dict[str, PdfaVerdict] = {}
        if process is not None:
            try:
                process.wait(timeout=30 + ctx.verapdf.timeout_per_file * len(candidates))
                report.seek(0)
                pdfa = parse_report(report.read(), candidates)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                pdfa = {str(p): PdfaVerdict(False, None, error="veraPDF did not finish in time")
                        for p in candidates}
    for item in local:
        yield _verdict(item, pdfa.get(str(item.path.resolve())), ctx)


def describe_flags(flags, lang: str = "vi") -> list[str]:
    return [sentence(flag, (), lang) for flag in flags]


__all__ = ["CheckContext", "FileVerdict", "check_files", "AcceptancePolicy", "Reason", "describe_flags"]
