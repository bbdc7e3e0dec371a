"""Statistics dashboard at scale: fills a throwaway PostgreSQL with N documents (default 1,350,000)
of a province's agencies, their processing rows (workflow_assignments), exchange inbox rows and
tasks, in bulk with COPY; then times the dashboard's queries (recordsys.workflow.statistics) for
random agencies and periods and prints p50/p95 next to a baseline measured in the same run on the
same table (``SELECT count(*) FROM documents WHERE organization_id = …``).

    python bench/statistics.py [--docs 1350000] [--agencies 60] [--runs 60]

Target (issue #13): p95 < 500 ms for the whole dashboard (the three queries of one agency and period).
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.common.postgres import PostgresServer, find_bindir

SUBJECTS = ["Đề nghị hỗ trợ kinh phí sửa chữa trường tiểu học", "Báo cáo tình hình thu ngân sách quý",
            "Quyết định thành lập Đoàn kiểm tra", "Kế hoạch chuyển đổi số năm", "Công văn về việc đôn đốc nộp thuế"]
CHUNK = 100_000


def copy(cur, table: str, columns: list[str], rows) -> None:
    """COPY rows (tuples) into table, in chunks of CHUNK."""
    buf = io.StringIO()

    def flush():
        buf.seek(0)
        cur.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", buf)
        buf.seek(0)
        buf.truncate()

    for n, row in enumerate(rows, 1):
        buf.write(",".join("" if v is None else ('"' + str(v).replace('"', '""') + '"') for v in row) + "\n")
        if n % CHUNK == 0:
            flush()
    if buf.tell():
        flush()


def fill(conn, docs: int, agencies: int, seed: int = 13) -> list[int]:
    rnd = random.Random(seed)
    cur = conn.cursor()
    cur.execute("SELECT id, code FROM organizations WHERE code = '000.00.00.H41'")
    province = cur.fetchone()
    org_rows = [(f"000.{i // 100:02d}.{i % 100:02d}.H42", f"Cơ quan số {i} tỉnh Khánh Hòa", "district",
                 province[0] if province else None, "{}", "2026-01-01T00:00:00+07:00") for i in range(agencies)]
    copy(cur, "organizations", ["code", "name", "level", "parent_id", "settings", "created_at"], org_rows)
    cur.execute("SELECT id FROM organizations WHERE code LIKE '%%.H42' ORDER BY id")
    orgs = [r[0] for r in cur.fetchall()]
    cur.execute("INSERT INTO stored_files (sha256, size, media_type, created_at) VALUES (%s, 1, 'application/pdf', now()) "
                "RETURNING id", ("b" * 64,))
    file_id = cur.fetchone()[0]
    registers = {}
    for org in orgs:
        for kind in ("incoming", "outgoing"):
            for year in (2025, 2026):
                cur.execute("INSERT INTO registers (organization_id, kind, year, last_number) VALUES (%s,%s,%s,0) "
                            "RETURNING id", (org, kind, year))
                registers[(org, kind, year)] = cur.fetchone()[0]
    conn.commit()
    start = dt.datetime(2025, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    span = 700 * 86400
    counters: dict = {}
    plan = []  # (org, direction, registered_at)
    for _ in range(docs):
        org = rnd.choice(orgs)
        direction = "incoming" if rnd.random() < 0.6 else "outgoing"
        at = start + dt.timedelta(seconds=rnd.randrange(span))
        plan.append((org, direction, at))
    plan.sort(key=lambda p: p[2])

    def doc_rows():
        for org, direction, at in plan:
            key = (org, direction, at.year)
            counters[key] = counters.get(key, 0) + 1
            mode = "electronic" if rnd.random() < 0.8 else "electronic_and_paper"
            status = "valid" if rnd.random() < 0.7 else "unsigned"
            yield (org, registers[key], counters[key], at.year, direction, mode, file_id, "van-ban.pdf",
                   f"{counters[key]}/UBND-VP", rnd.choice(SUBJECTS), status, '[]', '{}', '{}', at.isoformat(), "vanthu")

    t0 = time.monotonic()
    copy(cur, "documents", ["organization_id", "register_id", "number", "year", "direction", "delivery_mode",
                            "file_id", "original_name", "number_and_symbol", "subject", "signature_status", "flags",
                            "verdict", "extra", "registered_at", "registered_by"], doc_rows())
    conn.commit()
    print(f"documents: {docs:,} rows by COPY in {time.monotonic() - t0:.1f} s", file=sys.stderr)
    t0 = time.monotonic()
    cur.execute("SELECT id, organization_id, registered_at FROM documents WHERE direction = 'incoming'")
    incoming = cur.fetchall()
    today = dt.date(2026, 11, 30)

    def assignment_rows():
        for doc_id, org, at in incoming:
            day = at.date()
            deadline = day + dt.timedelta(days=rnd.choice((5, 7, 10, 15)))
            if rnd.random() < 0.85 and day + dt.timedelta(days=20) < today:
                done_on = day + dt.timedelta(days=rnd.randrange(1, 20))
                yield (doc_id, org, "done", "chuyenvien", "[]", "[]", deadline, "lanhdao", "[]", "[]", "Đã xử lý",
                       done_on, at.isoformat())
            else:
                yield (doc_id, org, "assigned", "chuyenvien", "[]", "[]", deadline, "lanhdao", "[]", "[]", None, None,
                       at.isoformat())

    copy(cur, "workflow_assignments", ["document_id", "organization_id", "state", "main_handler", "coordinators",
                                       "for_information", "deadline", "assigned_by", "consultations", "forwards",
                                       "result", "completed_on", "updated_at"], assignment_rows())

    def inbox_rows():
        for doc_id, org, at in incoming:
            r = rnd.random()
            if r < 0.5:
                via = "axis" if r < 0.35 else "internal"
                yield (org, file_id, "c" * 64, f"000.00.00.H41,{doc_id}", "000.00.00.H41", "Văn bản đến", "registered",
                       "{}", doc_id, at.isoformat(), via)

    copy(cur, "exchange_inbox", ["organization_id", "file_id", "envelope_sha256", "edxml_document_id", "from_organ",
                                 "subject", "state", "verdict", "registered_document_id", "received_at",
                                 "received_via"], inbox_rows())

    def task_rows():
        for _ in range(docs // 20):
            org = rnd.choice(orgs)
            deadline = dt.date(2025, 1, 1) + dt.timedelta(days=rnd.randrange(700))
            state = "approved" if rnd.random() < 0.8 else "assigned"
            finished = deadline + dt.timedelta(days=rnd.randrange(-5, 5)) if state == "approved" else None
            yield (org, "Công việc", "lanhdao", "chuyenvien", deadline, state, "[]", "[]", finished,
                   "2025-01-01T00:00:00+07:00")

    copy(cur, "workflow_tasks", ["organization_id", "title", "assigner", "assignee", "deadline", "state", "comments",
                                 "extensions", "finished_on", "created_at"], task_rows())
    conn.commit()
    print(f"workflow rows by COPY in {time.monotonic() - t0:.1f} s", file=sys.stderr)
    old = conn.autocommit
    conn.autocommit = True
    cur.execute("VACUUM ANALYZE")
    conn.autocommit = old
    return orgs


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1_350_000)
    parser.add_argument("--agencies", type=int, default=60)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    bindir = find_bindir()
    if bindir is None:
        sys.exit("PostgreSQL server binaries not found (apt-get install postgresql).")
    import psycopg2
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import Session

    from recordsys import migrate
    from recordsys.workflow import statistics

    server = PostgresServer(bindir).start()
    try:
        server.execute("CREATE DATABASE bench")
        migrate.upgrade({"sqlalchemy.url": server.url("bench")})
        conn = psycopg2.connect(host="127.0.0.1", port=server.port, user="postgres", dbname="bench")
        orgs = fill(conn, args.docs, args.agencies)
        conn.close()
        engine = create_engine(server.url("bench"))
        rnd = random.Random(7)
        today = dt.date(2026, 11, 30)
        periods = [(dt.date(2026, 1, 1), today), (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
                   (dt.date(2026, 7, 1), dt.date(2026, 9, 30)), (dt.date(2026, 11, 1), today)]
        timings: dict[str, list[float]] = {"baseline: count(*) of the agency's documents": [],
                                           "documents by direction and channel": [], "processing and overdue": [],
                                           "overdue tasks": [], "whole dashboard (3 queries)": []}
        with Session(engine) as session:
            for i in range(args.runs + 5):
                org, (start, end) = rnd.choice(orgs), rnd.choice(periods)
                t = time.perf_counter()
                session.execute(text("SELECT count(*) FROM documents WHERE organization_id = :o"), {"o": org}).scalar()
                base = time.perf_counter() - t
                t = time.perf_counter()
                session.execute(statistics.documents_query(org, start, end)).all()
                t1 = time.perf_counter()
                session.execute(statistics.processing_query(session, org, start, end, today)).one()
                t2 = time.perf_counter()
                session.scalar(statistics.tasks_query(org, start, end, today))
                t3 = time.perf_counter()
                if i < 5:  # warm-up
                    continue
                for name, value in zip(timings, (base, t1 - t, t2 - t1, t3 - t2, t3 - t)):
                    timings[name].append(value * 1000)
            total = session.execute(text("SELECT count(*) FROM documents")).scalar()
        rows = {name: {"p50_ms": round(percentile(v, 50), 1), "p95_ms": round(percentile(v, 95), 1)}
                for name, v in timings.items()}
        if args.json:
            print(json.dumps({"documents": total, "agencies": len(orgs), "runs": args.runs, "queries": rows}))
        else:
            print(f"{total:,} documents, {len(orgs)} agencies, {args.runs} runs (random agency and period)")
            print(f"{'query':48} {'p50 ms':>8} {'p95 ms':>8}")
            for name, r in rows.items():
                print(f"{name:48} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f}")
            ok = rows["whole dashboard (3 queries)"]["p95_ms"] < 500
            print(f"target p95 < 500 ms for the whole dashboard: {'met' if ok else 'NOT met'}")
        engine.dispose()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
