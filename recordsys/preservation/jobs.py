"""Fixity audits as background jobs (never inside a web request)."""
from recordsys.jobs import handler
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
