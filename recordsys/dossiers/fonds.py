"""Fonds (phông lưu trữ) and agency mergers (2025 reorganisation).

When an agency is merged into another, its fonds is closed (đóng) and names the successor's fonds;
its records stay in it. Its open work moves to the successor: open dossiers (re-coded with the
successor's fonds code, added to the successor's plan) and the plan lines of this year and later
not yet opened. ``merge_plan`` is pure (what would happen, with every conflict); ``apply_merge``
does it in the caller's transaction, audited as one batch.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from recordsys import metadata
from recordsys.core import audit
from recordsys.core.models import Organization, utcnow
from recordsys.dossiers import rules
from recordsys.dossiers.models import AlternativeIdentifier, Dossier, DossierPlanEntry, Fonds
from recordsys.dossiers.services import DossierError, record_change

STATUS_CODES = {"closed": "01", "open": "02"}  # codelists/c05/fonds_status
#: the scheme of the alternative identifiers a merger records (the code under the former agency)
MERGER_SCHEME = "merger"


def ensure_fonds(session: Session, organization: Organization) -> Fonds:
    """The agency's fonds, created (open) from its fonds code when it has no row yet."""
    found = session.scalar(select(Fonds).where(Fonds.organization_id == organization.id))
    if found is not None:
        return found
    if not organization.fonds_code:
        raise DossierError("${code} has no fonds code (mã phông).", mapping={"code": organization.code})
    found = Fonds(organization_id=organization.id, code=organization.fonds_code, name=organization.name,
                  status="open", language=["01"], risk_recovery="1")
    session.add(found)
    session.flush()
    return found


def require_open_fonds(session: Session, organization: Organization) -> None:
    """Refuse new work in a closed fonds, naming the successor."""
    found = session.scalar(select(Fonds).where(Fonds.organization_id == organization.id))
    if found is not None and found.status == "closed":
        successor = found.successor.organization.code if found.successor else "-"
        raise DossierError("The fonds ${code} of ${code2} is closed (merged into ${successor}); open the dossier in the successor.", mapping={"code": found.code, "code2": organization.code, "successor": successor})


def fonds_values(fonds: Fonds, total_files: int, years: tuple[int, int] | None) -> dict:
    """The fonds' Circular 05 fields by element name, in the circular's order (empty ones left out)."""
    values = {"fondsCode": fonds.code, "fondsName": fonds.name, "fondsStatus": STATUS_CODES[fonds.status],
              "history": fonds.history, "archivesTime": fonds.archives_time or (
                  f"{years[0]}-{years[1]}" if years else None),
              "totalFile": total_files, "classification": fonds.classification, "language": list(fonds.language),
              "riskRecovery": fonds.risk_recovery, "description": fonds.description}
    order = [f.element for f in metadata.load_circular05().fonds]
    return {k: values[k] for k in order if values.get(k) not in (None, "", [])}


@dataclass(frozen=True)
class Move:
    kind: str  # dossier | plan
    id: int
    year: int
    code: str
    title: str
    old_code: str = ""
    new_code: str = ""


@dataclass(frozen=True)
class MergePlan:
    source: str
    target: str
    source_fonds: str
    target_fonds: str
    moves: tuple[Move, ...] = ()
    stays: int = 0  # dossiers that stay in the closed fonds (closed, transferred, destroyed)
    conflicts: tuple[str, ...] = field(default=())
    children: tuple[str, ...] = ()  # agencies under the source, placed under the successor (communes of a district)

    def to_dict(self) -> dict:
        return {**asdict(self), "moves": [asdict(m) for m in self.moves], "conflicts": list(self.conflicts)}


def merge_plan(source: str, target: str, source_fonds: str, target_fonds: str, dossiers: list[tuple],
               plan_lines: list[tuple], taken: set[tuple[int, str]], this_year: int,
               children: tuple[str, ...] = ()) -> MergePlan:
    """What a merger does, as a pure function. ``dossiers``: (id, year, code, title, status) of the
    source; ``plan_lines``: (id, year, code, title, opened) of the source's plan; ``taken``: the
    (year, code) pairs already in the target's plan or dossiers."""
    moves, conflicts = [], []
    if source == target:
        conflicts.append("an agency cannot be merged into itself")
    stays = 0
    for dossier_id, year, code, title, status in dossiers:
        if status != "open":
            stays += 1
            continue
        if (year, code) in taken:
            conflicts.append(f"dossier {year} {code} is already in {target}'s plan")
        moves.append(Move("dossier", dossier_id, year, code, title, f"{source}.{year}.{code}",
                          f"{target}.{year}.{code}"))
    moving = {(m.year, m.code) for m in moves}
    for line_id, year, code, title, opened in plan_lines:
        if opened or year < this_year or (year, code) in moving:
            continue
        if (year, code) in taken:
            conflicts.append(f"plan line {year} {code} is already in {target}'s plan")
        moves.append(Move("plan", line_id, year, code, title))
    return MergePlan(source, target, source_fonds, target_fonds, tuple(moves), stays, tuple(conflicts),
                     tuple(sorted(c for c in children if c != target)))


def preview_merge(session: Session, source: Organization, target: Organization,
                  today: dt.date | None = None) -> MergePlan:
    source_fonds, target_fonds = ensure_fonds(session, source), ensure_fonds(session, target)
    if source_fonds.status == "closed":
        raise DossierError("The fonds ${code} of ${code2} is already closed.", mapping={"code": source_fonds.code, "code2": source.code})
    if target_fonds.status == "closed":
        raise DossierError("${code} was itself merged; merge into its successor.", mapping={"code": target.code})
    dossiers = [(d.id, d.year, d.code, d.title, d.status) for d in session.scalars(
        select(Dossier).where(Dossier.organization_id == source.id).order_by(Dossier.year, Dossier.code))]
    opened = {d.plan_entry_id for d in session.scalars(select(Dossier).where(Dossier.organization_id == source.id))}
    lines = [(e.id, e.year, e.code, e.title, e.id in opened) for e in session.scalars(
        select(DossierPlanEntry).where(DossierPlanEntry.organization_id == source.id)
        .order_by(DossierPlanEntry.year, DossierPlanEntry.code))]
    taken = {(e.year, e.code) for e in session.scalars(
        select(DossierPlanEntry).where(DossierPlanEntry.organization_id == target.id))}
    taken |= {(d.year, d.code) for d in session.scalars(select(Dossier).where(Dossier.organization_id == target.id))}
    children = tuple(c.code for c in session.scalars(select(Organization).where(Organization.parent_id == source.id)))
    return merge_plan(source.code, target.code, source_fonds.code, target_fonds.code, dossiers, lines, taken,
                      (today or dt.date.today()).year, children)


def apply_merge(session: Session, source: Organization, target: Organization, actor: str,
                today: dt.date | None = None) -> MergePlan:
    """Close the source's fonds naming the successor, move its open work, place the agencies under
    the source under the successor; one audited batch.
    Refused (nothing changed) when the preview lists a conflict."""
    plan = preview_merge(session, source, target, today)
    if plan.conflicts:
        raise DossierError("The merger of ${code} into ${code2} has conflicts.", list(plan.conflicts), mapping={"code": source.code, "code2": target.code})
    source_fonds, target_fonds = ensure_fonds(session, source), ensure_fonds(session, target)
    for move in plan.moves:
        if move.kind == "plan":
            session.get(DossierPlanEntry, move.id).organization_id = target.id
            continue
        dossier = session.get(Dossier, move.id)
        line = session.get(DossierPlanEntry, dossier.plan_entry_id) if dossier.plan_entry_id else None
        if line is not None:
            line.organization_id = target.id
        dossier.organization_id, dossier.organization = target.id, target
        old_code = dossier.archival_code
        dossier.archival_code = rules.dossier_code(target.code, dossier.year, dossier.code)
        if dossier.archival_code != old_code:
            keep_former_codes(session, dossier, old_code)
        dossier.fields = {**dossier.fields, "FileCode": dossier.archival_code, "OrganId": target_fonds.code}
        record_change(session, dossier, actor, "moved", source=source.code, target=target.code,
                      old_code=move.old_code)
    for code in plan.children:  # a dissolved district's communes now answer to its successor (two levels)
        child = session.scalar(select(Organization).where(Organization.code == code))
        child.parent_id, child.parent = target.id, target
    source_fonds.status, source_fonds.successor = "closed", target_fonds
    source_fonds.closed_at, source_fonds.closed_by = utcnow(), actor
    session.flush()
    audit.record(session, actor=actor, action="org.merge", object_type="organization", object_id=source.id,
                 organization_code=source.code, payload=plan.to_dict())
    return plan


def keep_former_codes(session: Session, dossier: Dossier, old_code: str) -> None:
    """Record the dossier's code under its former agency, and its documents' codes built on it, as
    alternative identifiers (as migration 0011 keeps the Circular 02 codes), so the record is still
    found under its original agency and code (``services.find_by_code``)."""
    rows = [("dossier", dossier.id, old_code)]
    rows += [("document", item.document_id, rules.document_code(old_code, item.ordinal)) for item in dossier.items]
    for kind, object_id, value in rows:
        exists = session.scalar(select(AlternativeIdentifier.id).where(
            AlternativeIdentifier.kind == kind, AlternativeIdentifier.object_id == object_id,
            AlternativeIdentifier.scheme == MERGER_SCHEME, AlternativeIdentifier.value == value))
        if exists is None:
            session.add(AlternativeIdentifier(kind=kind, object_id=object_id, scheme=MERGER_SCHEME, value=value))
