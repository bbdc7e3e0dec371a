"""Building archival packages as BagIt 1.0 bags and placing copies in storage locations.

A bag is built once, straight into a temporary folder inside the first location (``.tmp-NAME``),
fsynced and validated, then renamed to ``NAME``; each further copy is written from the first one
to ``.tmp-NAME`` in its own location, fsynced, validated, then renamed. A kill at any point leaves
only ``.tmp-*`` folders, never a half-written bag under its final name; ``sweep_temporary`` clears
them. Large files are copied in chunks (no size limit) and hashed while streaming.
"""
from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import bagit

from recordsys.preservation.bagcheck import BagReport, verify_bag

CHUNK = 8 << 20
CHECKSUMS = ["sha256", "sha512"]


class PreservationError(Exception):
    """A package could not be built, copied or repaired; the message is a sentence."""


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


def _copy_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(source, "rb") as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst, CHUNK)


def _raise_os(exc: OSError, what: str):
    if exc.errno == errno.ENOSPC:
        raise PreservationError(f"The disk is full while {what}; free space and try again.") from None
    raise PreservationError(f"{what} failed: {exc.strerror or exc} ({getattr(exc, 'filename', '')}).") from None


def build_bag(location: Path, name: str, payload: list[PayloadFile], tag_files: dict[str, bytes],
              bag_info: dict[str, str]) -> tuple[Path, BagReport]:
    """Build the bag ``location/name`` (SHA-256 and SHA-512 manifests and tag manifests)."""
    final, tmp = location / name, location / f".tmp-{name}"
    if final.exists():
        raise PreservationError(f"A package named {name} already exists in {location}.")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        for item in payload:
            if item.name.startswith("/") or ".." in Path(item.name).parts:
                raise PreservationError(f"Payload name {item.name!r} would escape the bag.")
            _copy_file(item.source, tmp / item.name)
        info = {"Bagging-Date": dt.date.today().isoformat(), **bag_info}
        bagit.make_bag(str(tmp), info, checksums=CHECKSUMS)
        for rel, content in tag_files.items():
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        bagit.Bag(str(tmp)).save(manifests=False)  # tag manifests now cover our tag files too
        _fsync_tree(tmp)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        _raise_os(exc, f"building package {name}")
    except (bagit.BagError, PreservationError):
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    report = verify_bag(tmp)
    if not report.valid:
        shutil.rmtree(tmp, ignore_errors=True)
        raise PreservationError(f"The new package {name} does not validate: {report.errors[0]}")
    os.rename(tmp, final)
    _fsync_dir(location)
    return final, report


def place_copy(source_bag: Path, location: Path, expected_fingerprint: str) -> Path:
    """Copy a validated bag into another location: temporary name, fsync, validate, rename."""
    name = source_bag.name
    final, tmp = location / name, location / f".tmp-{name}"
    location.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        shutil.copytree(source_bag, tmp, copy_function=lambda s, d: _copy_file(Path(s), Path(d)))
        _fsync_tree(tmp)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        _raise_os(exc, f"copying package {name} to {location}")
    report = verify_bag(tmp)
    if not report.valid or report.fingerprint != expected_fingerprint:
        shutil.rmtree(tmp, ignore_errors=True)
        raise PreservationError(f"The copy of {name} in {location} does not verify: "
                                f"{(report.errors or ('its tag manifests differ from the original',))[0]}")
    old = location / f".old-{name}"
    if final.exists():
        os.rename(final, old)  # the damaged copy steps aside; the good one takes its name
    os.rename(tmp, final)
    _fsync_dir(location)
    shutil.rmtree(old, ignore_errors=True)
    return final


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


def sweep_temporary(location: Path) -> list[str]:
    """Remove ``.tmp-*`` and ``.old-*`` leftovers of killed builds, copies or repairs."""
    removed = []
    for tmp in [*location.glob(".tmp-*"), *location.glob(".old-*")]:
        shutil.rmtree(tmp, ignore_errors=True)
        removed.append(tmp.name)
    return removed
