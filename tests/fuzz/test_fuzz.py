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


REGRESSIONS = __import__("pathlib").Path(__file__).resolve().parent / "regressions"


def test_found_by_fuzzing_pyhanko_assertion_is_an_unreadable_verdict():
    """bench/fuzz.py seed 7: an xref stream without /Type /XRef made pyHanko's reader assert."""
    from tests.fuzz.harness import RUNNERS

    verdict, reason = RUNNERS["pdf"]((REGRESSIONS / "pdf-xref-stream-assert.pdf").read_bytes())
    assert verdict == "refused" and "not a readable PDF" in reason


def test_found_by_fuzzing_a_tag_manifest_naming_a_too_long_file(tmp_path):
    """bench/fuzz.py seed 7: a tag manifest line naming a file whose name is too long for the file
    system made verify_bag raise OSError (ENAMETOOLONG)."""
    import shutil

    from recordsys.preservation.bagcheck import verify_bag
    from tests.fuzz.harness import CORPUS

    bag = tmp_path / "bag"
    shutil.copytree(CORPUS / "bag", bag)
    with open(bag / "tagmanifest-sha256.txt", "ab") as manifest:
        manifest.write(b"0" * 64 + b"  manifest-" + b"a" * 600 + b".txt\n")
    report = verify_bag(bag)
    assert not report.valid and any("missing from the bag" in e for e in report.errors)
