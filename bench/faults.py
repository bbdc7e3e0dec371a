"""Fault injection at length: every scenario killed with SIGKILL N times (default 50) on a real
PostgreSQL server; prints a table of scenario, kills, units of work done and inconsistencies found.

    python bench/faults.py [--kills 50] [--scenario registration …]

Needs the test extras (``scripts/test`` installs them) and Debian's PostgreSQL server binaries.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.common.postgres import PostgresServer, find_bindir
from tests.faults import harness
from tests.faults.workload import SCENARIOS


def installation(server: PostgresServer, name: str, data_dir: Path) -> dict:
    from recordsys import migrate
    from recordsys.cli.context import AppEnv
    from recordsys.core import demo

    server.execute(f"CREATE DATABASE {name}")
    env = {"RECORDSYS_DATABASE_URL": server.url(name), "RECORDSYS_DATA_DIR": str(data_dir),
           "RECORDSYS_SEARCH_BACKEND": "fts5", "RECORDSYS_JOBS__IN_PROCESS": "false",
           "RECORDSYS_JOBS__HANDLER_MODULES": "tests.faults.effects", "RECORDSYS_JOBS__LEASE_SECONDS": "3",
           "RECORDSYS_JOBS__RECOVER_SECONDS": "1"}
    os.environ.update(env)
    migrate.upgrade({"sqlalchemy.url": env["RECORDSYS_DATABASE_URL"]})
    with AppEnv().transaction() as session:
        demo.seed(session)
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS))
    args = parser.parse_args()
    bindir = find_bindir()
    if bindir is None:
        sys.exit("PostgreSQL server binaries not found (apt-get install postgresql).")
    server = PostgresServer(bindir).start()
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="recordsys-faults-") as tmp:
            for scenario in args.scenario or list(SCENARIOS):
                env = installation(server, f"faults_{scenario}", Path(tmp) / scenario)
                started = time.monotonic()

                def show(i, found, scenario=scenario):
                    print(f"\r{scenario}: kill {i + 1}/{args.kills}, {len(found)} problem(s)", end="",
                          file=sys.stderr, flush=True)

                summary = harness.run(scenario, env, args.kills, progress=show)
                print(file=sys.stderr)
                for problem in summary.problems:
                    print(f"  {problem}", file=sys.stderr)
                rows.append((scenario, summary.kills, summary.units_done, summary.inconsistencies,
                             time.monotonic() - started))
    finally:
        server.stop()
    print(f"{'scenario':<14} {'kills':>5} {'units done':>10} {'inconsistencies':>15} {'seconds':>8}")
    for scenario, kills, units, bad, seconds in rows:
        print(f"{scenario:<14} {kills:>5} {units:>10} {bad:>15} {seconds:>8.0f}")
    sys.exit(1 if any(row[3] for row in rows) else 0)


if __name__ == "__main__":
    main()
