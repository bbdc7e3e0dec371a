"""A streaming BagIt validator (RFC 8493; earlier drafts 0.93–0.97 as the Library of Congress
conformance suite exercises them).

Every payload file is read once, computing every manifest algorithm at the same time, in large
chunks, on a pool of threads (hashlib releases the GIL), with memory flat in the bag's size; nothing
is extracted or copied. Structural problems are *errors* (the bag is invalid); things a careful
archivist should know that do not make it invalid are *warnings*.
"""
from __future__ import annotations

import codecs
import hashlib
import os
import queue
import re
import stat
import threading
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

CHUNK = 1 << 20  # fits the L2 cache: hashing right after reading stays fast
LARGE = 256 << 20  # files this large are read on a thread of their own, each algorithm on its own
LARGE_CHUNK = 4 << 20
ALGORITHMS = {"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128}
SPECIAL_FILES = {".ds_store", "thumbs.db", "desktop.ini", ".spotlight-v100", ".trashes"}
_DECLARATION = re.compile(r"^([^:\s][^:]*?):[ \t]?(.*)$")
_MANIFEST_LINE = re.compile(r"^(\S+)[ \t]+(.+)$")
_VERSION = re.compile(r"^(\d+)\.(\d+)$")


@dataclass(frozen=True)
class BagReport:
    path: str
    valid: bool
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    files: int = 0
    bytes: int = 0
    fingerprint: str | None = None  # SHA-256 over the tag manifests: what the database records

    def to_dict(self) -> dict:
        return {"path": self.path, "valid": self.valid, "errors": list(self.errors),
                "warnings": list(self.warnings), "files": self.files, "bytes": self.bytes}


@dataclass
class _Entry:
    algorithm: str
    digest: str
    source: str  # manifest file name


@dataclass
class _State:
    root: Path
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    version: tuple[int, int] = (1, 0)
    encoding: str = "utf-8"
    refused: set[str] = field(default_factory=set)  # payload entries already reported as errors


def fingerprint(root: Path) -> str | None:
    """SHA-256 over the tag manifests (sorted by name), identifying exactly this bag."""
    manifests = sorted(root.glob("tagmanifest-*.txt")) or sorted(root.glob("manifest-*.txt"))
    if not manifests:
        return None
    digest = hashlib.sha256()
    for path in manifests:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _read_declaration(state: _State) -> bool:
    path = state.root / "bagit.txt"
    if not path.is_file():
        state.errors.append("bagit.txt is missing: this is not a bag")
        return False
    raw = path.read_bytes()
    if raw.startswith(codecs.BOM_UTF8):
        state.errors.append("bagit.txt starts with a byte-order mark, which BagIt forbids")
        return False
    try:
        lines = raw.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        state.errors.append("bagit.txt is not UTF-8")
        return False
    values = {}
    for line in filter(None, lines):
        match = _DECLARATION.match(line)
        if not match or match.group(1) != match.group(1).strip():
            state.errors.append(f"bagit.txt has a malformed line {line!r} (expected 'Label: value')")
            return False
        values[match.group(1)] = match.group(2).strip()
    version = values.get("BagIt-Version")
    if not version or not _VERSION.match(version):
        state.errors.append(f"bagit.txt has no valid BagIt-Version (found {version!r})")
        return False
    state.version = tuple(int(x) for x in version.split("."))
    encoding = values.get("Tag-File-Character-Encoding")
    if not encoding:
        state.errors.append("bagit.txt has no Tag-File-Character-Encoding")
        return False
    try:
        state.encoding = codecs.lookup(encoding).name
    except LookupError:
        state.errors.append(f"bagit.txt names an unknown encoding {encoding!r}")
        return False
    return True


def _decode(state: _State, path: Path) -> list[str] | None:
    """The non-empty lines of a tag file in the bag's declared encoding; None (and an error) if
    it does not decode."""
    try:
        text = path.read_bytes().decode(state.encoding, errors="strict")
    except UnicodeDecodeError:
        state.errors.append(f"{path.name} is not valid {state.encoding}")
        return None
    return [line for line in text.lstrip("\ufeff").splitlines() if line.strip()]


def _unescape(state: _State, name: str) -> str:
    if state.version >= (1, 0):
        return re.sub(r"%(0A|0D|25)", lambda m: {"0A": "\n", "0D": "\r", "25": "%"}[m.group(1).upper()],
                      name, flags=re.I)
    return name


def _check_scope(state: _State, name: str, where: str) -> bool:
    parts = name.split("/")
    if name.startswith("/") or name.startswith("~") or re.match(r"^[A-Za-z]:[\\/]", name) or "\\" in name \
            or ".." in parts:
        state.errors.append(f"{where} names {name!r}, a path that escapes the bag: refused")
        return False
    return True


def _read_manifest(state: _State, path: Path, payload: bool) -> dict[str, _Entry]:
    algorithm = path.stem.split("-", 1)[1].lower()
    entries: dict[str, _Entry] = {}
    if algorithm not in ALGORITHMS:
        state.errors.append(f"{path.name} uses an unsupported algorithm {algorithm!r}")
        return entries
    lines = _decode(state, path)
    if lines is None:
        return entries
    for line in lines:
        match = _MANIFEST_LINE.match(line.rstrip("\r\n"))
        if not match:
            state.errors.append(f"{path.name} has a malformed line {line!r}")
            continue
        digest, name = match.group(1).lower(), match.group(2)
        if name.startswith("*"):
            state.warnings.append(f"{path.name}: {name!r} carries md5sum's binary-mode '*' marker")
            name = name[1:]
        if name.startswith("./"):
            state.warnings.append(f"{path.name}: {name!r} is written as a relative './' path")
            name = name[2:]
        name = _unescape(state, name)
        if not _check_scope(state, name, path.name):
            continue
        if payload and not name.startswith("data/"):
            state.errors.append(f"{path.name} lists {name!r}, which is not under data/")
            continue
        if len(digest) != ALGORITHMS[algorithm] or not re.fullmatch(r"[0-9a-f]+", digest):
            state.errors.append(f"{path.name}: {digest!r} is not a {algorithm} digest ({name!r})")
            continue
        if name in entries:
            if entries[name].digest != digest:
                state.errors.append(f"{path.name} lists {name!r} twice with different digests")
            elif state.version >= (1, 0):
                state.errors.append(f"{path.name} lists {name!r} twice (forbidden since BagIt 1.0)")
            else:
                state.warnings.append(f"{path.name} lists {name!r} twice")
            continue
        entries[name] = _Entry(algorithm, digest, path.name)
    return entries


def special_entries(root: Path, limit: int = 100) -> list[str]:
    """Every entry of the bag at ``root`` that is not a regular file or a folder: symbolic links
    (wherever they point, in the payload or among the tag files) and devices, pipes, sockets.
    Nothing is followed or opened; at most ``limit`` problems are listed."""
    root = Path(root)
    root_real = os.path.realpath(root)
    problems: list[str] = []
    folders = [""]
    while folders and len(problems) < limit:
        folder = folders.pop()
        try:
            entries = list(os.scandir(root / folder if folder else root))
        except OSError as exc:
            problems.append(f"{folder or '.'} cannot be listed: {exc.strerror}")
            continue
        for entry in entries:
            rel = f"{folder}/{entry.name}" if folder else entry.name
            if entry.is_symlink():
                problems.append(f"{rel} {_link_problem(entry.path, root_real) or 'is a symbolic link'}")
            elif entry.is_dir(follow_symlinks=False):
                folders.append(rel)
            elif not entry.is_file(follow_symlinks=False):
                problems.append(f"{rel} is not a regular file or folder (a device, pipe or socket)")
    return problems[:limit]


def _check_tag_area(state: _State) -> bool:
    """Links and special files outside data/ (the payload walk reports its own): errors, and the
    tag files are then not read at all (a linked tag file would be read from outside the bag)."""
    found = [p for p in special_entries(state.root) if not p.startswith("data/")]
    state.errors.extend(f"{p}: refused" for p in found)
    return not found


def _walk_payload(state: _State) -> dict[str, os.stat_result]:
    """Regular files under data/ (relative 'data/...' names) with their stat. Symbolic links
    (wherever they point) and devices, pipes or sockets are errors (a pipe would otherwise hang
    the check)."""
    files: dict[str, os.stat_result] = {}
    if not (state.root / "data").is_dir():
        state.errors.append("the payload directory data/ is missing")
        return files
    root_real = os.path.realpath(state.root)
    folders = ["data"]
    while folders:
        folder = folders.pop()
        with os.scandir(state.root / folder) as entries:
            for entry in entries:
                rel = f"{folder}/{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    folders.append(rel)
                    continue
                # every link is refused, even one to a file of the bag: an imported copy must not depend
                # on what a link resolves to when it is copied
                problem = (_link_problem(entry.path, root_real) or "is a symbolic link") if entry.is_symlink() \
                    else None
                if problem is None:
                    info = entry.stat()
                    if not stat.S_ISREG(info.st_mode):
                        problem = "is not a regular file (a device, pipe or socket)"
                if problem:
                    state.errors.append(f"{rel} {problem}: refused")
                    state.refused.add(rel)
                    continue
                files[rel] = info
                if entry.name.lower() in SPECIAL_FILES:
                    state.warnings.append(f"{rel} is an operating-system file ({entry.name}), "
                                          "probably copied by accident")
    return files


def _link_problem(path: str, root_real: str) -> str | None:
    """What is wrong with where a symbolic link points (None: a file in the bag, still refused)."""
    if os.path.commonpath([root_real, os.path.realpath(path)]) != root_real:
        return "is a symbolic link that points outside the bag"
    if os.path.isdir(path):
        return "is a symbolic link to a folder"
    if not os.path.exists(path):
        return "is a symbolic link to nothing"
    return None


def _warn_lookalikes(state: _State, names) -> None:
    by_case: dict[str, list[str]] = {}
    by_form: dict[str, list[str]] = {}
    for name in names:
        by_case.setdefault(unicodedata.normalize("NFC", name).casefold(), []).append(name)
        by_form.setdefault(unicodedata.normalize("NFC", name), []).append(name)
    for group in by_form.values():
        if len(set(group)) > 1:
            state.warnings.append(f"names differ only in Unicode normalization: {sorted(set(group))!r}")
    for group in by_case.values():
        if len(set(group)) > 1 and len({unicodedata.normalize("NFC", g) for g in group}) > 1:
            state.warnings.append(f"names differ only in case: {sorted(set(group))!r}")


_buffers = threading.local()


def _hash_file(path: Path, algorithms: tuple[str, ...], size_hint: int | None = None) -> tuple[dict[str, str], int]:
    """Every digest of one file in a single read (``size_hint``: its size as already known)."""
    hashers = {a: hashlib.new(a) for a in algorithms}
    if (os.path.getsize(path) if size_hint is None else size_hint) >= LARGE:
        return _hash_large_file(path, hashers)
    size = 0
    buffer = getattr(_buffers, "buffer", None)
    if buffer is None:  # one buffer per thread, reused for every file it reads
        buffer = _buffers.buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as fh:
        while n := fh.readinto(buffer):
            chunk = view[:n]
            for h in hashers.values():
                h.update(chunk)
            size += n
    return {a: h.hexdigest() for a, h in hashers.items()}, size


def _hash_large_file(path: Path, hashers: dict) -> tuple[dict[str, str], int]:
    """A large file is read on a thread of its own into a few rotating buffers while this thread
    hashes, and each further algorithm hashes the same chunk on another thread (hashlib releases
    the GIL): a multi-gigabyte file, whose hashing cannot be split, then costs little more than its
    slowest digest instead of reading plus every digest in turn."""
    free: queue.Queue = queue.Queue()
    full: queue.Queue = queue.Queue()
    for _ in range(3):
        free.put(bytearray(LARGE_CHUNK))

    def read():  # ends at the end of the file, or when handed the empty buffer below
        try:
            with open(path, "rb", buffering=0) as fh:
                while True:
                    buffer = free.get()
                    n = fh.readinto(buffer)
                    full.put((buffer, n))
                    if not n:
                        return
        except OSError as exc:
            full.put((exc, 0))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    first, *others = hashers.values()
    size = 0
    try:
        with ThreadPoolExecutor(max_workers=max(1, len(others))) as side:
            while True:
                buffer, n = full.get()
                if isinstance(buffer, OSError):
                    raise buffer
                if not n:
                    break
                chunk = memoryview(buffer)[:n]
                pending = [side.submit(h.update, chunk) for h in others]
                first.update(chunk)
                for future in pending:
                    future.result()
                size += n
                free.put(buffer)
    finally:
        free.put(bytearray(0))  # stops the reader if it still runs (after a failure here)
        reader.join()
    return {a: h.hexdigest() for a, h in hashers.items()}, size


def _parse_bag_info(state: _State) -> dict[str, list[str]]:
    path = state.root / "bag-info.txt"
    info: dict[str, list[str]] = {}
    if not path.is_file():
        return info
    lines = _decode(state, path)
    if lines is None:
        return info
    label = None
    for line in lines:
        if line[:1] in (" ", "\t") and label:
            info[label][-1] += " " + line.strip()
            continue
        if ":" not in line:
            state.warnings.append(f"bag-info.txt has a line without a label: {line!r}")
            continue
        label, value = line.split(":", 1)
        label = label.strip()
        info.setdefault(label, []).append(value.strip())
    return info


def verify_bag(path, processes: int = 2, progress: Callable[[int], None] | None = None) -> BagReport:
    """Validate completeness and every checksum of the bag at ``path``. Never raises for a bad bag:
    anything unexpected that its contents provoke is reported as an error."""
    try:
        return _verify_bag(path, processes, progress)
    except Exception as exc:
        return BagReport(str(path), False, (f"the bag could not be read: {type(exc).__name__}: {exc}"[:1000],))


def _verify_bag(path, processes: int, progress) -> BagReport:
    root = Path(path)
    state = _State(root)
    if not root.is_dir():
        return BagReport(str(path), False, (f"{path} is not a folder",))
    if not _check_tag_area(state) or not _read_declaration(state):
        return BagReport(str(path), False, tuple(state.errors), tuple(state.warnings))

    manifests = sorted(root.glob("manifest-*.txt"))
    if not manifests:
        state.errors.append("the bag has no payload manifest (manifest-<algorithm>.txt)")
    payload_manifests = {m.name: _read_manifest(state, m, payload=True) for m in manifests}
    disk = _walk_payload(state)
    _warn_lookalikes(state, set(disk) | {n for e in payload_manifests.values() for n in e})

    nfc_disk = {}
    for name in disk:
        nfc_disk.setdefault(unicodedata.normalize("NFC", name), name)
    expected: dict[str, dict[str, str]] = {}  # disk name -> algorithm -> digest
    fetch_names = _fetch_names(state)
    for manifest, entries in payload_manifests.items():
        listed_on_disk = set()
        for name, entry in entries.items():
            on_disk = name if name in disk else nfc_disk.get(unicodedata.normalize("NFC", name))
            if on_disk is None:
                if name in state.refused:
                    continue
                hint = " (listed in fetch.txt but not fetched)" if name in fetch_names else ""
                state.errors.append(f"{name} is listed in {manifest} but missing from the bag{hint}")
                continue
            if on_disk != name:
                state.warnings.append(f"{manifest} lists {name!r} under a different Unicode normalization "
                                      f"than the file on disk")
            previous = expected.setdefault(on_disk, {}).get(entry.algorithm)
            if previous and previous != entry.digest:
                state.errors.append(f"{on_disk} has two different {entry.algorithm} digests in {manifest}")
            expected[on_disk][entry.algorithm] = entry.digest
            listed_on_disk.add(on_disk)
        for name in sorted(set(disk) - listed_on_disk):
            state.errors.append(f"{name} is in the bag but not listed in {manifest}")

    files, total = _hash_all(root, expected, state, processes, progress,
                             sizes={name: info.st_size for name, info in disk.items()})
    _check_oxum(state, len(disk), sum(s.st_size for s in disk.values()))
    _check_tag_manifests(state)
    return BagReport(str(path), not state.errors, tuple(state.errors), tuple(state.warnings),
                     len(disk), sum(s.st_size for s in disk.values()), fingerprint(root))


def _hash_all(root: Path, expected: dict, state: _State, processes: int, progress,
              sizes: dict[str, int]) -> tuple[int, int]:
    """Hash every expected file once; largest files first, so that one big file does not end up
    hashing alone on one core while the other waits."""
    def one(item):
        name, digests = item
        try:
            actual, size = _hash_file(root / name, tuple(sorted(digests)), sizes.get(name))
        except OSError as exc:
            return name, None, f"{name} cannot be read: {exc.strerror or exc}"
        return name, size, [a for a in digests if actual[a] != digests[a]]

    count = total = 0
    with ThreadPoolExecutor(max_workers=max(1, processes)) as pool:
        order = sorted(expected.items(), key=lambda kv: (-sizes.get(kv[0], 0), kv[0]))
        for name, size, problem in pool.map(one, order):
            if size is None:
                state.errors.append(problem)
                continue
            for algorithm in problem:
                state.errors.append(f"{name}: the {algorithm} checksum does not match: the file was changed")
            count += 1
            total += size
            if progress:
                progress(size)
    return count, total


def _fetch_names(state: _State) -> set[str]:
    path = state.root / "fetch.txt"
    names = set()
    if not path.is_file():
        return names
    lines = _decode(state, path)
    if lines is None:
        return names
    for line in lines:
        parts = line.split(None, 2)
        if len(parts) != 3:
            state.errors.append(f"fetch.txt has a malformed line {line!r}")
            continue
        name = _unescape(state, parts[2].strip())
        if _check_scope(state, name, "fetch.txt"):
            if not name.startswith("data/"):
                state.errors.append(f"fetch.txt names {name!r}, which is not under data/")
            names.add(name)
    return names


def _check_oxum(state: _State, files: int, size: int) -> None:
    info = _parse_bag_info(state)
    oxum = (info.get("Payload-Oxum") or [None])[0]
    if oxum is None:
        return
    match = re.fullmatch(r"(\d+)\.(\d+)", oxum)
    if not match:
        state.errors.append(f"bag-info.txt has a malformed Payload-Oxum {oxum!r}")
    elif (int(match.group(1)), int(match.group(2))) != (size, files):
        state.errors.append(f"Payload-Oxum {oxum} does not match the payload ({size}.{files}): "
                            "files were added, removed or changed in size")


def _check_tag_manifests(state: _State) -> None:
    for manifest in sorted(state.root.glob("tagmanifest-*.txt")):
        entries = _read_manifest(state, manifest, payload=False)
        for name, entry in entries.items():
            target = state.root / name
            if name.startswith("data/"):
                state.errors.append(f"{manifest.name} lists the payload file {name!r}")
                continue
            try:
                regular = stat.S_ISREG(os.lstat(target).st_mode)
            except OSError:  # missing, or a name the file system refuses (too long, …)
                regular = False
            if not regular:
                state.errors.append(f"{name} is listed in {manifest.name} but missing from the bag")
                continue
            actual, _ = _hash_file(target, (entry.algorithm,))
            if actual[entry.algorithm] != entry.digest:
                state.errors.append(f"tag file {name}: the {entry.algorithm} checksum does not match")
