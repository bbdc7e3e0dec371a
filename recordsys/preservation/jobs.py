"""Fixity audits as background jobs (never inside a web request), and the daily audit of due copies."""
from recordsys.jobs import enqueue_once, handler, periodic
from recordsys.preservation.services import audit_copies


@handler("preservation.audit")
def run_audit(session_factory, settings, params, progress):
    done = []

    def step(result):
        done.append(result)
        progress(100 * len(done) // max(1, params.get("expected", len(done))))

    results = audit_copies(session_factory, settings, everything=bool(params.get("all")),
                           package_id=params.get("package_id"), actor=params.get("actor", "system"),
                           progress=step)
    return {"checked": len(results), "damaged": sum(not r.ok for r in results),
            "repaired": sum(r.repaired for r in results), "results": [r.to_dict() for r in results[:200]]}


@periodic("preservation.audit_due", "0 2 * * *")
def schedule_due_audit(session_factory, settings):
    """The copies whose check is due (``recordsys preservation audit --due``), as a job the auditor sees."""
    return enqueue_once(session_factory, "preservation.audit", {"due": True, "actor": "system"})
