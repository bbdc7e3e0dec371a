"""Audit actions of dossiers, hand-over and disposition; a dossier change is ``dossier.<change>``."""
import enum


class AuditAction(enum.StrEnum):
    plan_add = "plan.add"
    dossier_open = "dossier.open"
    dossier_add = "dossier.add"
    dossier_reorder = "dossier.reorder"
    dossier_describe = "dossier.describe"
    dossier_waive = "dossier.waive"
    dossier_close = "dossier.close"
    dossier_hold = "dossier.hold"
    dossier_release = "dossier.release"
    dossier_transfer = "dossier.transfer"
    dossier_destroy = "dossier.destroy"
    dossier_refused = "dossier.refused"
    dossier_moved = "dossier.moved"  # to the successor agency of a merger
    dossier_import = "dossier.import"  # read from a Circular 02/2019 XML export
    transfer_submit = "transfer.submit"
    transfer_sign = "transfer.sign"
    transfer_accept = "transfer.accept"
    disposition_propose = "disposition.propose"
    disposition_appraise = "disposition.appraise"
    disposition_approve = "disposition.approve"
    disposition_destroy = "disposition.destroy"
    disposition_reject = "disposition.reject"
    disposition_cancel = "disposition.cancel"
