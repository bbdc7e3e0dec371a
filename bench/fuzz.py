#!/usr/bin/env python3
"""The long fuzz run over the readers of outside input: PDF (intake check), BagIt (verify-bag),
edXML (read_envelope), with mutated copies of tests/fuzz/corpus/ (see tests/fuzz/harness.py).

Each reader gets an equal share of the time, in its own worker process (address space limited),
with a time limit per input. Prints per reader: runs, verdicts, crashes, hangs, answers without
a reason, peak RSS and the slowest input; ``--save DIR`` keeps every input that crashed or hung
(with its traceback) to replay. Exit 1 when anything crashed or hung.

Usage: python bench/fuzz.py --minutes 10 [--seed 1] [--timeout 30] [--readers pdf,bagit,edxml] [--save DIR]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    from tests.fuzz.harness import READERS, fuzz

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="total running time (all readers)")
    parser.add_argument("--seed", type=int, default=int(time.time()), help="seed of the mutations (printed)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds one input may take before it is a hang")
    parser.add_argument("--readers", default=",".join(READERS))
    parser.add_argument("--save", type=Path, help="folder for the inputs that crashed or hung")
    args = parser.parse_args()
    readers = [r for r in args.readers.split(",") if r]
    unknown = set(readers) - set(READERS)
    if unknown:
        parser.error(f"unknown reader(s): {', '.join(sorted(unknown))}; known: {', '.join(READERS)}")
    share = args.minutes * 60 / len(readers)
    print(f"seed {args.seed}, {args.minutes:g} min, {share:.0f} s per reader, time limit {args.timeout:g} s per input")
    reports = []
    for reader in readers:
        report = fuzz(reader, seed=args.seed, until=time.monotonic() + share, timeout=args.timeout, save=args.save)
        reports.append(report)
        print(report.line(), flush=True)
        for i, detail in report.crashes[:5]:
            print(f"    crash at input {i}: {detail.strip().splitlines()[-1][:200]}")
        if report.hangs:
            print(f"    hangs at inputs {report.hangs[:10]}")
    bad = [r for r in reports if not r.clean]
    print("clean" if not bad else f"FINDINGS in {', '.join(r.reader for r in bad)} (seed {args.seed})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
