"""A short, seeded fuzz pass over the readers of outside input (tests/fuzz/harness.py): mutated
copies of the files in tests/fuzz/corpus/, each reader in a worker process with a time limit.
No crash, no hang, always a verdict with a reason, memory bounded. The long run is
``python bench/fuzz.py --minutes N``."""
import pytest

from tests.fuzz.harness import READERS, cases, fuzz, load_corpus

RUNS = 100
SEED = 2026


@pytest.mark.parametrize("reader", READERS)
def test_corpus_is_valid_to_start_with(reader):
    from tests.fuzz.harness import RUNNERS

    for item in load_corpus(reader):
        verdict, reason = RUNNERS[reader](item)
        assert reason and (reader == "pdf" or verdict == "valid"), (reader, verdict, reason)


@pytest.mark.parametrize("reader", READERS)
def test_mutations_are_repeatable(reader):
    assert list(cases(reader, SEED, 5)) == list(cases(reader, SEED, 5))
    assert list(cases(reader, SEED, 5)) != list(cases(reader, SEED + 1, 5))


@pytest.mark.parametrize("reader", READERS)
def test_short_fuzz_pass(reader):
    report = fuzz(reader, seed=SEED, n=RUNS, timeout=15)
    assert report.runs == RUNS
    assert report.crashes == [], report.crashes[:3]
    assert report.hangs == [], report.hangs
    assert report.no_reason == [], report.no_reason
    assert 0 < report.peak_rss_mb < 1024, report.line()
    assert sum(report.verdicts.values()) == RUNS and len(report.verdicts) >= 1


def test_the_harness_catches_hangs_crashes_deaths_and_memory_hogs():
    from tests.fuzz.harness import Worker

    worker = Worker("_selftest", timeout=2)
    try:
        assert [worker.run(x).kind for x in (b"ok", b"hang", b"ok", b"crash", b"die", b"hog", b"ok")] == \
            ["ok", "hang", "ok", "crash", "crash", "crash", "ok"]
        assert worker.run(b"silent").reason == ""
    finally:
        worker.close()
