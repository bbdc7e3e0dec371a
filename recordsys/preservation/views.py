"""The auditor's screen: packages, their copies, last and next check, problems, verify now.
Verification runs as a background job, never inside the request."""
from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import select

from recordsys import jobs
from recordsys.preservation.models import FixityCheck, Package
from recordsys.preservation.permissions import Permission


def _packages(request):
    org_ids = request.org_ids_with("preservation.read")
    return request.dbsession.scalars(select(Package).where(Package.organization_id.in_(org_ids))
                                     .order_by(Package.id.desc()).limit(200)).all()


def _last_checks(request, packages):
    copy_ids = [c.id for p in packages for c in p.copies]
    last = {}
    if copy_ids:
        for check in request.dbsession.scalars(select(FixityCheck).where(FixityCheck.copy_id.in_(copy_ids))
                                               .order_by(FixityCheck.id)):
            last[check.copy_id] = check
    return last


@view_config(route_name="preservation", renderer="preservation/preservation.jinja2", request_method="GET",
             permission=Permission.preservation_read)
def preservation_page(request):
    packages = _packages(request)
    running = request.dbsession.scalars(select(jobs.Job).where(jobs.Job.kind == "preservation.audit")
                                        .order_by(jobs.Job.id.desc()).limit(10)).all()
    return {"packages": packages, "last": _last_checks(request, packages), "jobs": running}


@view_config(route_name="preservation.verify", request_method="POST", permission=Permission.preservation_read)
def verify_now(request):
    from recordsys.params import int_param

    package = request.dbsession.get(Package, int_param(request, "id", min=1, source="matchdict"))
    if package is None or package.organization_id not in request.org_ids_with("preservation.read"):
        raise HTTPNotFound("No such package.")
    jobs.enqueue(request.dbsession, "preservation.audit",
                 {"package_id": package.id, "actor": request.user.username, "expected": len(package.copies)},
                 request.user.username)
    worker = request.registry.get("job_worker")
    if worker is not None:
        request.tm.get().addAfterCommitHook(lambda ok: ok and worker.wake.set())
    return HTTPSeeOther(request.route_url("preservation"))


@view_config(route_name="api.packages", renderer="json", request_method="GET", permission=Permission.preservation_read)
def api_packages(request):
    """Archival packages the user may see, with their copies and fixity state."""
    packages = _packages(request)
    last = _last_checks(request, packages)
    return {"packages": [{
        "id": p.id, "identifier": p.external_identifier, "files": p.files, "bytes": p.bytes,
        "copies": [{"location": c.location.name, "status": c.status,
                    "last_checked_at": c.last_checked_at.isoformat() if c.last_checked_at else None,
                    "next_check_at": c.next_check_at.isoformat(),
                    "problems": last[c.id].problems if c.id in last else []} for c in p.copies],
    } for p in packages]}
