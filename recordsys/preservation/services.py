"""Storing packages in every location, auditing copies, repairing damage, export and import."""
from __future__ import annotations

import datetime as dt
import logging
import time
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import bagit
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from recordsys.core import audit
from recordsys.core.models import Organization, utcnow
from recordsys.db import transaction_scope
from recordsys.preservation import bagging
from recordsys.preservation.bagcheck import verify_bag
from recordsys.preservation.models import (
    FixityCheck,
    Package,
    PackageCopy,
    PreservationEvent,
    StorageLocation,
)
from recordsys.preservation.premis import Event, event_log
from recordsys.preservation.schedule import first_check, next_check, parse_locations

log = logging.getLogger(__name__)


def sync_locations(session: Session, settings: dict) -> list[StorageLocation]:
    """The configured locations, recorded in the database (added or updated)."""
    try:
        specs = parse_locations(settings["preservation.locations"],
                                int(settings.get("preservation.cycle_days", 365)))
    except ValueError as exc:
        raise bagging.PreservationError("preservation.locations: ${exc}.", mapping={"exc": exc}) from None
    rows = {row.name: row for row in session.scalars(select(StorageLocation))}
    result = []
    for spec in specs:
        row = rows.get(spec.name)
        if row is None:
            row = StorageLocation(name=spec.name, path=spec.path, cycle_days=spec.cycle_days)
            session.add(row)
        row.path, row.cycle_days = spec.path, spec.cycle_days
        Path(spec.path).mkdir(parents=True, exist_ok=True)
        result.append(row)
    session.flush()
    return result


def _event(session, package: Package, event_type: str, agent: str, outcome: str = "success", **detail):
    session.add(PreservationEvent(package_id=package.id, event_type=event_type, agent=agent, outcome=outcome,
                                  detail=detail))


def store_package(
    session: Session, settings: dict, *, organization: Organization, name: str, external_identifier: str,
    source: str, source_id: int | None, payload: list[bagging.PayloadFile], tag_files: dict[str, bytes],
    actor: str, history: list[Event] = (), group: str | None = None,
) -> Package:
    """Build the bag in the first location, copy it to the others, and record the package only
    when every copy verifies (the caller's transaction commits it)."""
    locations = sync_locations(session, settings)
    now = utcnow()
    events = [*history, Event("ingestion", now, actor, detail=f"package {name} built from {source}")]
    tag_files = {**tag_files, "metadata/premis.xml": event_log(external_identifier, events)}
    bag_info = {"Source-Organization": organization.name, "External-Identifier": external_identifier,
                "Bag-Group-Identifier": group or external_identifier,
                "Organization-Address": organization.code, "Bag-Software-Agent": "recordsys"}
    staged, report = bagging.build_bag(Path(locations[0].path), name, payload, tag_files, bag_info)
    copies = [staged]
    try:
        for location in locations[1:]:
            copies.append(bagging.stage_copy(staged.path, Path(location.path), report.fingerprint, name))
    except bagging.PreservationError:
        for copy in copies:
            copy.discard()
        raise
    _publish_after_commit(session, copies)
    package = Package(name=name, organization_id=organization.id, external_identifier=external_identifier,
                      source=source, source_id=source_id, tagmanifest_sha256=report.fingerprint,
                      payload_oxum=f"{report.bytes}.{report.files}", files=report.files, bytes=report.bytes,
                      created_by=actor)
    session.add(package)
    session.flush()
    for location in locations:
        package.copies.append(PackageCopy(location_id=location.id, stored_at=now,
                                          next_check_at=first_check(now, name, location.name, location.cycle_days)))
        _event(session, package, "replication", actor, location=location.name)
    _event(session, package, "ingestion", actor, files=report.files, bytes=report.bytes)
    session.flush()
    audit.record(session, actor=actor, action="package.store", object_type="package", object_id=package.id,
                 organization_code=organization.code,
                 payload={"name": name, "fingerprint": report.fingerprint,
                          "copies": [location.name for location in locations]})
    return package


def _publish_after_commit(session: Session, copies: list[bagging.Staged]) -> None:
    """Publish the staged copies once the transaction recording the package commits; discard
    them if it aborts. A kill in between leaves staged copies that ``recover_locations`` finishes."""
    def finish(committed: bool):
        for copy in copies:
            try:
                copy.publish() if committed else copy.discard()
            except OSError:
                log.exception("finishing the staged copy %s failed; the next audit recovers it", copy.path)

    txn = session.info["tm"].get()
    txn.addAfterCommitHook(finish)
    txn.addAfterAbortHook(finish, args=(False,))


def recover_locations(session: Session, locations: list[StorageLocation]) -> list[str]:
    """Finish or remove the staged copies killed processes left behind (see bagging.recover)."""
    done = []
    for location in locations:
        def recorded(name: str, location_id: int = location.id) -> str | None:
            return session.scalar(select(Package.tagmanifest_sha256).join(PackageCopy).where(
                Package.name == name, PackageCopy.location_id == location_id))

        for name, action in bagging.recover(Path(location.path), recorded):
            done.append(f"{location.name}: {name} {action}")
    return done


@dataclass
class CopyResult:
    package: str
    location: str
    ok: bool
    problems: list[str] = field(default_factory=list)
    repaired: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


def copies_to_audit(session: Session, everything: bool, now: dt.datetime, package_id: int | None = None) -> list[int]:
    stmt = select(PackageCopy.id).order_by(PackageCopy.next_check_at, PackageCopy.id)
    if package_id is not None:
        stmt = stmt.where(PackageCopy.package_id == package_id)
    elif not everything:
        stmt = stmt.where(or_(PackageCopy.next_check_at <= now, PackageCopy.status != "ok"))
    return list(session.scalars(stmt))


def audit_copies(session_factory: sessionmaker, settings: dict, *, everything: bool = False, actor: str = "system",
                 now: dt.datetime | None = None, processes: int = 2, package_id: int | None = None,
                 progress: Callable[[CopyResult], None] | None = None) -> list[CopyResult]:
    """Re-hash due copies (or all, or one package's), record each check, repair damage from a
    good copy. Each copy is checked in its own short transaction."""
    now = now or utcnow()
    with transaction_scope(session_factory) as session:
        for line in recover_locations(session, sync_locations(session, settings)):
            log.warning("recovered after an interrupted write: %s", line)
        ids = copies_to_audit(session, everything, now, package_id)
    results = []
    for copy_id in ids:
        with transaction_scope(session_factory) as session:
            result = _audit_one(session, session.get(PackageCopy, copy_id), actor, processes)
        results.append(result)
        if progress:
            progress(result)
    return results


def _copy_path(copy: PackageCopy) -> Path:
    return Path(copy.location.path) / copy.package.name


def _audit_one(session: Session, copy: PackageCopy, actor: str, processes: int) -> CopyResult:
    package = copy.package
    started = time.monotonic()
    ok, problems = bagging.audit_copy(_copy_path(copy), package.tagmanifest_sha256, processes)
    checked = utcnow()
    session.add(FixityCheck(copy_id=copy.id, checked_at=checked, ok=ok, problems=problems,
                            seconds=round(time.monotonic() - started, 3)))
    copy.last_checked_at = checked
    copy.next_check_at = next_check(checked, copy.location.cycle_days)
    _event(session, package, "fixity check", actor, "success" if ok else "failure",
           location=copy.location.name, problems=problems)
    result = CopyResult(package.name, copy.location.name, ok, problems)
    if ok:
        copy.status = "ok"
        return result
    copy.status = "damaged"
    audit.record(session, actor=actor, action="package.damaged", object_type="package", object_id=package.id,
                 payload={"location": copy.location.name, "problems": problems[:20]})
    for other in package.copies:
        if other.id == copy.id:
            continue
        good, _ = bagging.audit_copy(_copy_path(other), package.tagmanifest_sha256, processes)
        if not good:
            continue
        try:
            bagging.repair_copy(_copy_path(other), _copy_path(copy), package.tagmanifest_sha256)
        except bagging.PreservationError as exc:
            result.problems.append(f"repair from {other.location.name} failed: {exc}")
            continue
        copy.status = "repaired"
        result.repaired = True
        _event(session, package, "repair", actor, location=copy.location.name, source=other.location.name)
        audit.record(session, actor=actor, action="package.repair", object_type="package", object_id=package.id,
                     payload={"location": copy.location.name, "from": other.location.name})
        break
    else:
        result.problems.append("no good copy was available to repair it from")
    return result


def export_package(session: Session, package: Package, target: Path, fmt: str, actor: str) -> Path:
    """A dissemination copy for a reader (zip or bag), from a copy that verifies; recorded."""
    source = None
    for copy in package.copies:
        ok, _ = bagging.audit_copy(_copy_path(copy), package.tagmanifest_sha256)
        if ok:
            source = _copy_path(copy)
            break
    if source is None:
        raise bagging.PreservationError("No copy of ${name} verifies; nothing was exported.", mapping={"name": package.name})
    target.mkdir(parents=True, exist_ok=True)
    if fmt == "zip":
        out = target / f"{package.name}.zip"
        tmp = out.with_suffix(".zip.part")
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            for path in sorted(source.rglob("*")):
                if path.is_file():
                    zf.write(path, f"{package.name}/{path.relative_to(source).as_posix()}")
        tmp.replace(out)
    else:
        out = target / package.name
        bagging.place_copy(source, target, package.tagmanifest_sha256)
    _event(session, package, "dissemination", actor, format=fmt, target=str(out))
    audit.record(session, actor=actor, action="package.export", object_type="package", object_id=package.id,
                 payload={"format": fmt, "requested_by": actor})
    return out


def _read_regular(path: Path) -> bytes:
    with bagging.open_regular(path) as handle:
        return handle.read()


def import_bag(session: Session, settings: dict, bag: Path, organization: Organization, actor: str) -> Package:
    """Take an existing bag from another system as a transfer, after validating it. Symbolic links
    anywhere in it, and anything that is not a regular file or a folder, refuse the whole bag
    before anything is read or copied."""
    from recordsys.preservation.bagcheck import special_entries

    found = special_entries(bag)
    if found:
        raise bagging.PreservationError(
            "The bag ${name} holds symbolic links or special files (not regular files or folders): ${entries}.",
            mapping={"name": bag.name, "entries": "; ".join(found[:5])})
    report = verify_bag(bag)
    if not report.valid:
        raise bagging.PreservationError("The bag ${bag} is not valid: ${errors}", mapping={"bag": bag, "errors": report.errors[0]})
    info = bagit.Bag(str(bag)).info
    identifier = str(info.get("External-Identifier") or bag.name)
    payload = [bagging.PayloadFile(p, p.relative_to(bag / "data").as_posix())
               for p in sorted((bag / "data").rglob("*")) if p.is_file()]
    tags = {p.relative_to(bag).as_posix(): _read_regular(p) for p in bag.rglob("*")
            if p.is_file() and not p.relative_to(bag).as_posix().startswith("data/")
            and p.name not in ("bagit.txt", "bag-info.txt") and not p.name.startswith(("manifest-", "tagmanifest-"))}
    tags["metadata/original-bag-info.txt"] = _read_regular(bag / "bag-info.txt") if (bag / "bag-info.txt").exists() else b""
    name = f"import-{organization.code}-{utcnow():%Y%m%d%H%M%S}-{bag.name}"[:200]
    history = [Event("validation", utcnow(), actor, detail=f"imported bag {bag.name} validated")]
    return store_package(session, settings, organization=organization, name=name, external_identifier=identifier,
                         source="import", source_id=None, payload=payload, tag_files=tags, actor=actor,
                         history=history)

