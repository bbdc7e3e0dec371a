"""Building archival packages as BagIt 1.0 bags and placing copies in storage locations.

Every copy is *staged*: written to ``.tmp-NAME`` in its location, fsynced and validated, while the
writing process holds an advisory lock (``.lock-NAME``); only then is it *published* (renamed to
``NAME``) or *discarded*. A package's copies are published after the transaction that records
the package commits, and discarded if it rolls back, so a bag under its final name always belongs
to a recorded package. A kill at any point leaves only staged folders whose lock nobody holds;
``recover`` finishes them (the package was recorded) or removes them (it was not). Large files are
copied in chunks (no size limit).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import bagit

from recordsys.errors import DomainError
from recordsys.preservation.bagcheck import BagReport, verify_bag

CHUNK = 8 << 20
CHECKSUMS = ["sha256", "sha512"]


class PreservationError(DomainError):
    """A package could not be built, copied or repaired; the message is a sentence."""

    code = "preservation"


@dataclass(frozen=True)
class PayloadFile:
    source: Path
    name: str  # path inside data/, e.g. "originals/0001-15-QD-UBND.pdf"


def _fsync_tree(root: Path) -> None:
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(dirpath))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def open_regular(source: Path):
    """``source`` opened for reading only if it is a regular file and not a symbolic link (checked
    on the open descriptor, so a file swapped for a link after a check is still refused)."""
    try:
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise PreservationError("${path} is a symbolic link: refused.", mapping={"path": source}) from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise PreservationError("${path} is not a regular file: refused.", mapping={"path": source})
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def _copy_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with open_regular(source) as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst, CHUNK)


def _copy_tree(source: Path, target: Path) -> None:
    """Copy a bag file by file, stopping at the first error (shutil.copytree would go on writing
    to a full disk and gather every failure into one exception)."""
    for dirpath, _dirs, files in os.walk(source):
        folder = target / Path(dirpath).relative_to(source)
        folder.mkdir(parents=True, exist_ok=True)
        for name in files:
            _copy_file(Path(dirpath) / name, folder / name)


def _raise_os(exc: OSError, what: str):
    if exc.errno == errno.ENOSPC:
        raise PreservationError("The disk is full while ${what}; free space and try again.", mapping={"what": what}) from None
    where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
    raise PreservationError("Failed while ${what}: ${reason}${where}.", mapping={"what": what, "reason": exc.strerror or exc, "where": where}) from None


class Staged:
    """A validated copy under its temporary name, locked by this process until it is published
    or discarded."""

    def __init__(self, location: Path, name: str):
        self.location, self.name = location, name
        self.path, self.final = location / f".tmp-{name}", location / name
        self._lock = location / f".lock-{name}"
        location.mkdir(parents=True, exist_ok=True)
        while True:
            self._fd = os.open(self._lock, os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(self._fd)
                raise PreservationError("Package ${name} is being written to ${location} by another process.", mapping={"name": name, "location": location}) from None
            with contextlib.suppress(FileNotFoundError):
                if os.stat(self._lock).st_ino == os.fstat(self._fd).st_ino:
                    break  # still the lock file: its previous holder did not remove it meanwhile
            os.close(self._fd)

    def publish(self) -> Path:
        """Rename into place; an existing copy (a damaged one being repaired) steps aside first."""
        old = self.location / f".old-{self.name}"
        if self.final.exists():
            os.rename(self.final, old)
        os.rename(self.path, self.final)
        _fsync_dir(self.location)
        shutil.rmtree(old, ignore_errors=True)
        self._release()
        return self.final

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        self._release()

    def _release(self) -> None:
        if self._fd is not None:
            self._lock.unlink(missing_ok=True)
            os.close(self._fd)
            self._fd = None


def build_bag(location: Path, name: str, payload: list[PayloadFile], tag_files: dict[str, bytes],
              bag_info: dict[str, str]) -> tuple[Staged, BagReport]:
    """Build the bag ``NAME`` staged in ``location`` (SHA-256 and SHA-512 manifests and tag
    manifests), validated; the caller publishes or discards it."""
    if (location / name).exists():
        raise PreservationError("A package named ${name} already exists in ${location}.", mapping={"name": name, "location": location})
    staged = Staged(location, name)
    tmp = staged.path
    try:
        shutil.rmtree(tmp, ignore_errors=True)  # a stale one from a killed run
        for item in payload:
            if item.name.startswith("/") or ".." in Path(item.name).parts:
                raise PreservationError("Payload name ${name} would escape the bag.", mapping={"name": f"{item.name!r}"})
            _copy_file(item.source, tmp / item.name)
        info = {"Bagging-Date": dt.date.today().isoformat(), **bag_info}
        bagit.make_bag(str(tmp), info, checksums=CHECKSUMS)
        for rel, content in tag_files.items():
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        bagit.Bag(str(tmp)).save(manifests=False)  # tag manifests now cover our tag files too
        _fsync_tree(tmp)
        report = verify_bag(tmp)
        if not report.valid:
            raise PreservationError("The new package ${name} does not validate: ${errors}", mapping={"name": name, "errors": report.errors[0]})
    except OSError as exc:
        staged.discard()
        _raise_os(exc, f"building package {name}")
    except (bagit.BagError, PreservationError):
        staged.discard()
        raise
    return staged, report


def stage_copy(source_bag: Path, location: Path, expected_fingerprint: str, name: str | None = None) -> Staged:
    """Copy a bag into ``location`` under a temporary name, fsync it and validate it."""
    name = name or source_bag.name
    staged = Staged(location, name)
    try:
        shutil.rmtree(staged.path, ignore_errors=True)  # a stale one from a killed run
        _copy_tree(source_bag, staged.path)
        _fsync_tree(staged.path)
    except OSError as exc:
        staged.discard()
        _raise_os(exc, f"copying package {name} to {location}")
    report = verify_bag(staged.path)
    if not report.valid or report.fingerprint != expected_fingerprint:
        staged.discard()
        raise PreservationError("The copy of ${name} in ${location} does not verify: ${value}", mapping={"name": name, "location": location, "value": (report.errors or ('its tag manifests differ from the original',))[0]})
    return staged


def place_copy(source_bag: Path, location: Path, expected_fingerprint: str) -> Path:
    """Copy a validated bag into ``location`` and publish it at once."""
    return stage_copy(source_bag, location, expected_fingerprint).publish()


def audit_copy(path: Path, expected_fingerprint: str, processes: int = 2) -> tuple[bool, list[str]]:
    """Re-hash one stored copy; also compare its tag manifests with the digest recorded at storage
    time, so that a bag swapped on disk for another valid bag is caught."""
    if not path.is_dir():
        return False, [f"the copy is missing from {path.parent}"]
    report = verify_bag(path, processes)
    problems = list(report.errors)
    if report.fingerprint != expected_fingerprint:
        problems.append("the tag manifests differ from those recorded when the package was stored "
                        "(the bag was replaced or its manifests rewritten)")
    return not problems, problems


def repair_copy(good: Path, damaged: Path, expected_fingerprint: str) -> Path:
    """Rewrite a damaged copy from a good one (atomically, like any copy)."""
    return place_copy(good, damaged.parent, expected_fingerprint)


def recover(location: Path, recorded_fingerprint: Callable[[str], str | None]) -> list[tuple[str, str]]:
    """Finish or remove what killed processes left in ``location``: a staged copy of a recorded
    package whose final copy is missing is validated and published ("published"); any other
    staged copy, and a damaged copy set aside during a repair, is removed ("removed"). Names still
    locked by a live process are left alone. Returns (name, what was done)."""
    with os.scandir(location) as entries:  # one listing, however many packages the location holds
        names = {e.name.split("-", 1)[1] for e in entries if e.name.startswith((".tmp-", ".old-", ".lock-"))}
    done = []
    for name in sorted(names):
        try:
            staged = Staged(location, name)
        except PreservationError:
            continue  # still being written
        old = location / f".old-{name}"
        if staged.path.is_dir():
            fingerprint = recorded_fingerprint(name)
            if fingerprint and not staged.final.exists():
                report = verify_bag(staged.path)
                if report.valid and report.fingerprint == fingerprint:
                    staged.publish()
                    done.append((name, "published"))
                    continue
            done.append((name, "removed"))
        elif old.is_dir() and staged.final.exists():
            shutil.rmtree(old, ignore_errors=True)
            done.append((name, "removed"))
        staged.discard()
    return done
