#!/usr/bin/env python3
"""Fixity throughput of `recordsys preservation verify-bag` against two baselines, same run.

Builds a bag of 2,000 files of 50 kB and four of 100 MB (484 MB; `--big` adds a 2 GB file), once
with a SHA-256 manifest and once with SHA-256 + SHA-512 manifests, and times on a warm cache:
  ours     recordsys preservation verify-bag --processes 2
  bagit    bagit.py --validate (python -m bagit --validate --processes 2)
  openssl  find data -type f -print0 | xargs -0 -P 2 -n 200 openssl dgst -sha256  (the hashing limit;
           for the two-algorithm bag, -sha256 and -sha512 passes both)
Each is run twice and the faster run kept. Peak memory (max RSS) of ours is reported for each bag.
Targets (issue 5): ours >= 0.8x openssl and >= 1.3x bagit.py, memory flat in bag size.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def make_payload(root: Path, big: bool) -> int:
    data = root / "data"
    (data / "small").mkdir(parents=True)
    block = os.urandom(50 * 1000)
    for i in range(2000):
        (data / "small" / f"van-ban-{i:04d}.pdf").write_bytes(block[i % 97:] + block[: i % 97])
    chunk = os.urandom(1 << 20)
    sizes = [100 * (1 << 20)] * 4 + ([2 * (1 << 30)] if big else [])
    for i, size in enumerate(sizes):
        with open(data / f"ghi-am-{i}.mp3", "wb") as fh:
            for _ in range(size // len(chunk)):
                fh.write(chunk)
    return sum(p.stat().st_size for p in data.rglob("*") if p.is_file())


def bag(root: Path, algorithms: list[str]) -> None:
    import bagit

    bagit.make_bag(str(root), checksums=algorithms, processes=2)


def best_of(cmd: list[str] | str, runs: int = 2, shell: bool = False, cwd=None) -> tuple[float, int]:
    best, rss = float("inf"), 0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run(cmd, shell=shell, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
        rss = max(rss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)
    return best, rss


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--big", action="store_true", help="add a 2 GB file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-fixity-", dir=os.environ.get("TMPDIR")) as tmp:
        base = Path(tmp) / "payload"
        base.mkdir()
        size = make_payload(base, args.big)
        print(f"payload: {size / 1e6:.0f} MB in {sum(1 for _ in (base / 'data').rglob('*.*'))} files")
        for algorithms in (["sha256"], ["sha256", "sha512"]):
            root = Path(tmp) / "-".join(algorithms)
            shutil.copytree(base / "data", root)
            bag(root, algorithms)
            ours, rss = best_of([sys.executable, "-m", "recordsys.cli", "preservation", "verify-bag",
                                 "--processes", "2", str(root)])
            bagit_py, _ = best_of([sys.executable, "-m", "bagit", "--validate", "--processes", "2", str(root)])
            digests = " ".join(f"-{a}" for a in algorithms)
            openssl_line = " && ".join(
                f"find data -type f -print0 | xargs -0 -P 2 -n 200 openssl dgst -{a} > /dev/null"
                for a in algorithms)
            openssl, _ = best_of(openssl_line, shell=True, cwd=root)
            mb = size / 1e6
            print(f"\nbag {'+'.join(algorithms)} ({digests}):")
            for name, seconds in (("ours", ours), ("bagit.py", bagit_py), ("openssl", openssl)):
                print(f"  {name:<10}{seconds:8.2f} s {mb / seconds:9.0f} MB/s")
            print(f"  ours / openssl  = {openssl / ours:.2f}x  (target >= 0.8x)")
            print(f"  ours / bagit.py = {bagit_py / ours:.2f}x  (target >= 1.3x)")
            print(f"  ours peak RSS   = {rss / 1024:.0f} MB")
            shutil.rmtree(root)


if __name__ == "__main__":
    main()
