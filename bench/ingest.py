#!/usr/bin/env python3
"""Throughput of `recordsys ingest check` against two baselines measured in the same run.

Builds N signed one-page PDF/A-2b documents (test PKI), then times:
  ours      `recordsys ingest check --json` over all N files (one process, end to end);
  verapdf   veraPDF alone in batch mode over the same files (one JVM): the floor of the cost;
  naive     one `verapdf` process and one `pyhanko sign validate` process per file, on a sample,
            reported per document.
Also the breakdown of our own time: veraPDF batch, pyHanko in-process validation, extraction.

Targets (issue 3): ours >= 10x naive, and >= 0.8x veraPDF batch alone.
Usage: python bench/ingest.py [--docs 200] [--naive-sample 10]
"""
from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build(folder: Path, n: int):
    from tests.common.pdfs import pdfa, sign
    from tests.common.pki import make_pki

    pki = make_pki(folder / "pki")
    base = pdfa(folder / "base.pdf")
    docs = []
    for i in range(n):
        docs.append(sign(pki, base, folder / f"van-ban-{i:05d}.pdf"))
    return pki, docs


def timed(cmd, **kw) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--naive-sample", type=int, default=10)
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)

    from recordsys.ingest import signatures
    from recordsys.ingest.extract import extract
    from recordsys.ingest.pdfa import VeraPdf

    verapdf = VeraPdf(os.environ.get("RECORDSYS_VERAPDF_HOME", ROOT / ".tools" / "verapdf"))
    if not verapdf.available():
        sys.exit("veraPDF is not installed: run scripts/install-verapdf")
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        pki, docs = build(folder, args.docs)
        print(f"built {len(docs)} signed PDF/A-2b documents in {time.perf_counter() - t0:.1f} s")
        env = dict(os.environ, RECORDSYS_DATA_DIR=str(folder / "data"))

        ours = timed([sys.executable, "-m", "recordsys.cli", "ingest", "check", "--json",
                      "--trust-root", str(pki.root_pem), *map(str, docs)], env=env)
        # the baseline is veraPDF as its own launcher runs it (default JVM flags), in one batch
        plain = ["java", "-cp", str(verapdf.lib / "*"), "org.verapdf.apps.GreenfieldCliWrapper", "--format", "json"]
        vera = timed(plain + [str(d) for d in docs])

        roots = signatures.load_trust_roots([pki.root_pem])
        start = time.perf_counter()
        for doc in docs:
            signatures.validate(doc.read_bytes(), roots)
        hanko = time.perf_counter() - start
        start = time.perf_counter()
        for doc in docs:
            extract(doc, with_text=False)
        extraction = time.perf_counter() - start

        sample = docs[: args.naive_sample]
        start = time.perf_counter()
        for doc in sample:
            subprocess.run(plain + [str(doc)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            subprocess.run(["pyhanko", "sign", "validate", "--no-strict-syntax", "--trust", str(pki.root_pem),
                            str(doc)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        naive_per_doc = (time.perf_counter() - start) / len(sample)

    n = len(docs)
    rate = {"ours": n / ours, "verapdf-batch": n / vera, "naive": 1 / naive_per_doc}
    print(f"\n{'way':<16}{'docs/s':>10}")
    for name, value in rate.items():
        print(f"{name:<16}{value:>10.1f}")
    print(f"\nbreakdown over {n} docs: veraPDF batch {vera:.2f} s | pyHanko in-process {hanko:.2f} s | "
          f"extraction {extraction:.2f} s | ours end to end {ours:.2f} s")
    print(f"ratio ours / naive          = {rate['ours'] / rate['naive']:.1f}x   (target >= 10x)")
    print(f"ratio ours / veraPDF batch  = {rate['ours'] / rate['verapdf-batch']:.2f}x  (target >= 0.8x)")


if __name__ == "__main__":
    main()
