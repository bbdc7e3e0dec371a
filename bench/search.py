#!/usr/bin/env python3
"""Search at scale on both backends, in one run: indexing throughput and query latency.

Generates N synthetic Vietnamese documents (realistic subjects, agencies, types, numbers, dates;
default 200,000), indexes them into SQLite FTS5 and into a real OpenSearch 2.19 node (started here
from the Maven Central jars, scripts/install-opensearch), then times a fixed mix of queries:
diacritics-free words, phrases, number-and-symbol lookups, prefixes and filtered queries, as a
provincial user who may see every agency.
Targets (issues 6 and 10): p95 < 50 ms on FTS5; on OpenSearch p95 < 100 ms at 200,000 documents and
< 150 ms at 1,000,000; indexing >= 1,000 docs/s.
Usage: python bench/search.py [--docs 200000] [--queries 300] [--heap 1g] [--skip-fts5] [--skip-opensearch]
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TYPES = [("Quyết định", "QĐ"), ("Công văn", None), ("Báo cáo", "BC"), ("Kế hoạch", "KH"), ("Thông báo", "TB"),
         ("Tờ trình", "TTr"), ("Chỉ thị", "CT"), ("Hướng dẫn", "HD"), ("Giấy mời", "GM"), ("Biên bản", "BB")]
AGENCIES = [("UBND tỉnh Khánh Hòa", "UBND"), ("Sở Nội vụ", "SNV"), ("Sở Tài chính", "STC"),
            ("Sở Tài nguyên và Môi trường", "STNMT"), ("Sở Giáo dục và Đào tạo", "SGDĐT"), ("Sở Y tế", "SYT"),
            ("UBND thành phố Nha Trang", "UBND"), ("UBND huyện Cam Lâm", "UBND"), ("Sở Xây dựng", "SXD"),
            ("Sở Giao thông vận tải", "SGTVT")]
ACTIONS = ["giao đất", "thu hồi đất", "phê duyệt dự án", "điều chỉnh quy hoạch", "bổ nhiệm cán bộ",
           "khen thưởng tập thể", "tổ chức hội nghị", "kiểm tra công tác văn thư", "đào tạo bồi dưỡng công chức",
           "hỗ trợ thiệt hại do bão lũ", "cấp giấy chứng nhận quyền sử dụng đất", "phòng chống dịch bệnh",
           "cải cách hành chính", "chuyển đổi số", "xây dựng nông thôn mới", "quản lý đất đai"]
PLACES = ["phường Lộc Thọ", "xã Cam Hải Đông", "thành phố Nha Trang", "huyện Cam Lâm", "thị xã Ninh Hòa",
          "huyện Vạn Ninh", "phường Vĩnh Hải", "xã Suối Tiên", "huyện Diên Khánh", "thành phố Cam Ranh"]
WORDS = ["căn", "cứ", "luật", "tổ", "chức", "chính", "quyền", "địa", "phương", "theo", "đề", "nghị", "của", "giám", "đốc", "sở", "các", "cơ", "quan", "đơn", "vị", "có", "liên", "quan", "chịu", "trách", "nhiệm", "thi", "hành", "quyết", "định", "này", "kể", "từ", "ngày", "ký", "ban", "hành", "nơi", "nhận", "như", "điều", "lưu", "văn", "thư", "ủy", "ban", "nhân", "dân", "tỉnh", "hội", "đồng", "nhân", "dân", "kinh", "phí", "thực", "hiện", "ngân", "sách", "nhà", "nước", "báo", "cáo", "kết", "quả", "trước", "ngày", "tháng", "năm", "đất", "đai", "tài", "nguyên", "môi", "trường", "giáo", "dục", "y", "tế", "giao", "thông", "xây", "dựng"]


def generate(n: int, seed: int = 7):
    from recordsys.search.interfaces import SearchEntry

    rng = random.Random(seed)
    counters: dict = {}
    for i in range(n):
        type_name, abbr = rng.choice(TYPES)
        agency, short = rng.choice(AGENCIES)
        year = rng.randint(2000, 2026)
        key = (abbr, short, year)
        counters[key] = counters.get(key, 0) + 1
        symbol = f"{counters[key]:02d}/{abbr + '-' if abbr else ''}{short}" + ("" if abbr else "-VP")
        title = f"{type_name} về việc {rng.choice(ACTIONS)} tại {rng.choice(PLACES)} năm {year}"
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 120)))
        yield SearchEntry(
            id=f"document:{i}", kind="document", organization_id=1 + i % 650, title=title,
            number_and_symbol=symbol, year=year, type=type_name, issuer=agency, signer="Nguyễn Văn An",
            status="incoming", date=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            confidentiality="mat" if rng.random() < 0.02 else None, body=title + ". " + body)


def query_mix(rng: random.Random, n: int, symbols: list[str]):
    from recordsys.search.folding import fold

    plain = [fold(a) for a in ACTIONS] + [fold(p) for p in PLACES]
    mix = []
    for i in range(n):
        kind = i % 5
        if kind == 0:
            mix.append(("words", rng.choice(plain), {}))
        elif kind == 1:
            mix.append(("phrase", f'"{rng.choice(ACTIONS)}"', {}))
        elif kind == 2:
            mix.append(("symbol", rng.choice(symbols), {}))
        elif kind == 3:
            mix.append(("prefix", fold(rng.choice(ACTIONS)).split()[0][:4] + "*", {}))
        else:
            mix.append(("filtered", rng.choice(plain), {"year": rng.randint(2000, 2026), "type": rng.choice(TYPES)[0]}))
    return mix


def run(backend, entries_factory, n, queries, viewer):
    from recordsys.search.interfaces import SearchRequest
    from recordsys.search.query import parse_query

    start = time.perf_counter()
    count = backend.rebuild(entries_factory())
    index_seconds = time.perf_counter() - start
    times: dict[str, list[float]] = {}
    # one untimed pass of the whole mix: the timed pass measures a warm server (caches, and the JIT of
    # a long-running OpenSearch JVM), not a just-started one
    for warm in queries:
        backend.search(SearchRequest(parse_query(warm[1]), viewer, warm[2]))
    for kind, text, filters in queries:
        t = time.perf_counter()
        backend.search(SearchRequest(parse_query(text), viewer, filters))
        times.setdefault(kind, []).append((time.perf_counter() - t) * 1000)
    every = sorted(x for values in times.values() for x in values)
    p = lambda values, q: values[min(len(values) - 1, int(q * len(values)))]
    print(f"  indexed {count} docs in {index_seconds:.1f} s = {count / index_seconds:,.0f} docs/s")
    print(f"  all queries: p50 {p(every, .5):.1f} ms  p95 {p(every, .95):.1f} ms  (n={len(every)})")
    for kind, values in times.items():
        values.sort()
        print(f"    {kind:<9} p50 {p(values, .5):6.1f} ms  p95 {p(values, .95):6.1f} ms")
    return count / index_seconds, p(every, .95)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--heap", default="1g", help="the OpenSearch node's JVM heap")
    parser.add_argument("--skip-fts5", action="store_true")
    parser.add_argument("--skip-opensearch", "--skip-es", action="store_true")
    args = parser.parse_args()

    from recordsys.search.fts5 import Fts5Backend
    from recordsys.search.interfaces import Viewer

    symbols = [e.number_and_symbol for _, e in zip(range(2000), generate(args.docs))]
    queries = query_mix(random.Random(11), args.queries, symbols)
    viewer = Viewer(frozenset(range(1, 651)), clearance=0)  # a provincial user: every agency
    factory = lambda: generate(args.docs)
    results = {}
    os_limit = 100 if args.docs <= 200_000 else 150
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        if not args.skip_fts5:
            print(f"SQLite FTS5, {args.docs:,} documents:")
            results["fts5"] = run(Fts5Backend(Path(tmp) / "search.sqlite"), factory, args.docs, queries, viewer)
        if not args.skip_opensearch:
            from recordsys.search.opensearch import OpenSearchBackend
            from tests.common.opensearch import OpenSearchCluster

            node = OpenSearchCluster(nodes=1, heap=args.heap).start()
            try:
                print(f"OpenSearch 2.19 (1 node, {args.heap} heap), {args.docs:,} documents:")
                results["opensearch"] = run(OpenSearchBackend(node.url, "bench", timeout=60), factory, args.docs,
                                            queries, viewer)
            finally:
                node.stop()
    print(f"\ntargets: indexing >= 1,000 docs/s; p95 < 50 ms (FTS5), < {os_limit} ms (OpenSearch)")
    for name, (rate, p95) in results.items():
        limit = 50 if name == "fts5" else os_limit
        print(f"  {name:<14} indexing {rate / 1000:5.2f}x the target   p95 {p95:6.1f} ms = {p95 / limit:.2f} of the limit")


if __name__ == "__main__":
    main()
