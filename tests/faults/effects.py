"""The job of the fault-injection runs: one side effect per job, made idempotent the way real
handlers are (a repeated run after a kill finds its effect already there and adds nothing)."""
from pathlib import Path

from recordsys.jobs import handler


@handler("fault.effect")
def leave_one_effect(session_factory, settings, params, progress):
    effects = Path(params["dir"]) / "effects"
    token = params["token"]
    if effects.exists() and token in effects.read_text().split():
        return {"token": token, "again": True}
    with open(effects, "a") as fh:
        fh.write(f"{token}\n")
        fh.flush()
    return {"token": token}
