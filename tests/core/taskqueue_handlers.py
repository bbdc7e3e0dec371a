"""Job handlers for the task-queue tests, imported by the worker processes the tests start
(``jobs.handler_modules``)."""
import os
import time
from pathlib import Path

from recordsys.jobs import handler


@handler("test.block")
def block_until_released(session_factory, settings, params, progress):
    """Note that it started, wait until the file ``release`` appears, then leave one side effect."""
    folder = Path(params["dir"])
    (folder / f"started-{os.getpid()}").write_text("")
    deadline = time.monotonic() + float(params.get("timeout", 120))
    while not (folder / "release").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("never released")
        time.sleep(0.05)
    progress(50)
    with open(folder / "effects", "a") as fh:
        fh.write(f"{os.getpid()}\n")
    return {"pid": os.getpid()}
