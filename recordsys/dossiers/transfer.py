"""Hand-over to the archive (nộp lưu): the batch, its record signed by both sides, acceptance
into archival packages."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

from sqlalchemy.orm import Session

from recordsys import metadata
from recordsys.core import audit
from recordsys.core.models import Organization, utcnow
from recordsys.dossiers import rules
from recordsys.dossiers.export import export_xml
from recordsys.dossiers.models import (
    TransferBatch,
)
from recordsys.dossiers.services import (
    DossierError,
    get,
    record_change,
)
from recordsys.storage import IFileStorage
from recordsys.storage.models import stored_file


def create_transfer(session: Session, organization: Organization, dossier_ids: list[int], actor: str,
                    storage, work_dir: Path) -> TransferBatch:
    from recordsys.dossiers import handover

    dossiers = [get(session, i, {organization.id}) for i in dossier_ids]
    not_closed = [d.archival_code for d in dossiers if d.status != "closed"]
    if not_closed or not dossiers:
        raise DossierError("Only closed dossiers can be handed over: " + (", ".join(not_closed) or "none given"))
    batch = TransferBatch(organization_id=organization.id, status="submitted", dossier_ids=dossier_ids,
                          created_by=actor)
    session.add(batch)
    session.flush()
    rows = tuple(handover.HandoverRow(d.archival_code, d.title, d.fields.get("StartDate", ""),
                                      d.fields.get("EndDate", ""),
                                      metadata.load().label("retention", d.retention), len(d.items))
                 for d in dossiers)
    record = handover.render(handover.HandoverRecord(batch.id, organization.name, organization.name,
                                                     f"Lưu trữ cơ quan — {organization.name}", dt.date.today(), rows),
                             work_dir / f"bien-ban-giao-nhan-{batch.id}.pdf")
    blob = storage.put(record)
    stored_file(session, blob)
    batch.record_sha256 = blob.sha256
    audit.record(session, actor=actor, action="transfer.submit", object_type="transfer_batch", object_id=batch.id,
                 organization_code=organization.code, payload={"dossiers": dossier_ids, "record": blob.sha256})
    return batch


def accept_transfer(session: Session, settings: dict, batch: TransferBatch, actor: str, storage) -> list[int]:
    """The archive accepts: each dossier becomes an E-ARK AIP (Circular 05/2025, CSIP 2.0.4),
    validated, then kept as the payload of a BagIt bag in every storage location; the Circular 02
    metadata, the signed hand-over record and the intake verdicts ride along as tag files."""
    import tempfile

    from recordsys.dossiers.circular05 import Circular05Error
    from recordsys.dossiers.export import package_inputs
    from recordsys.preservation.eark.descriptive import MetadataError
    from recordsys.preservation.eark.sip import write_aip
    from recordsys.preservation.information_packages import archive_agent, store_aip
    from recordsys.preservation.premis import Event

    if batch.status != "submitted":
        raise DossierError("Transfer ${id} is ${status}, not waiting for acceptance.", mapping={"id": batch.id, "status": batch.status})
    organization = session.get(Organization, batch.organization_id)
    archive = archive_agent(settings, organization)
    package_ids = []
    for dossier_id in batch.dossier_ids:
        dossier = get(session, dossier_id)
        tags = {"metadata/dossier.xml": export_xml(dossier),
                "metadata/handover-record.pdf": storage.path(batch.record_sha256).read_bytes()}
        for item in dossier.items:
            tags[f"metadata/verdicts/{item.ordinal:03d}.json"] = json.dumps(
                item.document.verdict, ensure_ascii=False, indent=1).encode("utf-8")
        history = [Event("ingestion", item.document.registered_at, item.document.registered_by,
                         detail=f"document {item.ordinal} registered") for item in dossier.items]
        history += [Event("validation", item.document.registered_at, "recordsys",
                          detail=f"document {item.ordinal}: signature {item.document.signature_status}, "
                                 f"PDF/A {item.document.pdfa_flavour or 'no'}") for item in dossier.items]
        history.append(Event("transfer", utcnow(), actor, detail=f"hand-over batch {batch.id} accepted"))
        with tempfile.TemporaryDirectory(prefix="aip-") as tmp:
            try:
                eark_dossier, documents = package_inputs(session, dossier, storage, Path(tmp) / "process")
                # the AIP is kept in every storage location: backed up (riskRecoveryStatus 01)
                eark_dossier = dataclasses.replace(eark_dossier, risk_recovery_status="01")
                aip = write_aip(Path(tmp) / "aip", eark_dossier, documents, archive, history)
            except Circular05Error as exc:
                raise DossierError("Dossier ${archival_code} does not fit Circular 05/2025.",
                                   exc.problems, mapping={"archival_code": dossier.archival_code}) from None
            except MetadataError as exc:
                raise DossierError("Dossier ${archival_code} does not fit Circular 05/2025.",
                                   exc.problems, mapping={"archival_code": dossier.archival_code}) from None
            package = store_aip(session, settings, aip, organization=organization,
                                name=rules.bag_name(dossier.archival_code),
                                external_identifier=dossier.archival_code, source="dossier", source_id=dossier.id,
                                tag_files=tags, actor=actor, history=history, group=f"transfer-{batch.id}")
        dossier.status = "transferred"
        record_change(session, dossier, actor, "transfer", batch=batch.id, package=package.id)
        package_ids.append(package.id)
    batch.status, batch.accepted_at, batch.accepted_by = "accepted", utcnow(), actor
    audit.record(session, actor=actor, action="transfer.accept", object_type="transfer_batch", object_id=batch.id,
                 organization_code=organization.code, payload={"packages": package_ids})
    return package_ids


def sign_handover(session: Session, storage: IFileStorage, batch_id: int, side: str, signer, actor: str) -> str:
    """Sign the batch's hand-over record as the giving or the receiving side (PAdES); the signed
    record replaces the previous one (both stored, the change audited). Returns its SHA-256."""
    import tempfile

    from recordsys.dossiers import handover

    batch = session.get(TransferBatch, batch_id)
    if batch is None or not batch.record_sha256:
        raise DossierError("No hand-over record for batch ${batch_id}.", mapping={"batch_id": batch_id})
    if side not in ("giver", "receiver"):
        raise DossierError("Unknown side ${side}: giver or receiver.", mapping={"side": f"{side!r}"})
    field = handover.SIGNATURE_FIELDS[0 if side == "giver" else 1]
    with tempfile.TemporaryDirectory() as tmp:
        signed = handover.sign(storage.path(batch.record_sha256), Path(tmp) / "signed.pdf", signer, field,
                               "Bên giao" if side == "giver" else "Bên nhận")
        blob = storage.put(signed)
    stored_file(session, blob)
    audit.record(session, actor=actor, action="transfer.sign", object_type="transfer_batch", object_id=batch.id,
                 payload={"side": side, "before": batch.record_sha256, "after": blob.sha256})
    batch.record_sha256 = blob.sha256
    return blob.sha256
