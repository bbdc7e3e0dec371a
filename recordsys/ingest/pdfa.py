"""PDF/A verdicts with veraPDF, run as a subprocess: many files through one JVM.

The jars come from Maven Central (``scripts/install-verapdf``, version pinned in
``scripts/verapdf/pom.xml``) into ``verapdf.home``/lib. The report is veraPDF's JSON.
"""
from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from recordsys.errors import ComponentMissing

MAIN_CLASS = "org.verapdf.apps.GreenfieldCliWrapper"
_PROFILE = re.compile(r"PDF/A-(\d)([ABU])", re.I)


class VeraPdfMissing(ComponentMissing):
    """veraPDF is not installed; the message says how to install it."""

    code = "verapdf-missing"


@dataclass(frozen=True)
class FailedRule:
    clause: str
    test_number: int
    description: str
    count: int
    specification: str = ""

    def to_dict(self) -> dict:
        return {"clause": self.clause, "test_number": self.test_number, "description": self.description,
                "count": self.count, "specification": self.specification}


@dataclass(frozen=True)
class PdfaVerdict:
    compliant: bool
    flavour: str | None  # "1b", "2b", "2u", "3b" … as declared by the file and validated
    failed_rules: tuple[FailedRule, ...] = ()
    error: str | None = None

    def to_dict(self) -> dict:
        out = {"compliant": self.compliant, "flavour": self.flavour,
               "failed_rules": [r.to_dict() for r in self.failed_rules]}
        if self.error:
            out["error"] = self.error
        return out


NOT_DECLARED = PdfaVerdict(False, None, (FailedRule(
    "6.6.4", 1, "The file does not declare PDF/A conformance (no pdfaid:part in its XMP metadata)", 1,
    "ISO 19005"),))


class VeraPdf:
    """Runs veraPDF over batches of files with one JVM per batch."""

    def __init__(self, home: Path | str, java: str = "java", heap: str = "1g", timeout_per_file: float = 60.0):
        self.lib = Path(home) / "lib"
        self.java, self.heap, self.timeout_per_file = java, heap, timeout_per_file

    def available(self) -> bool:
        return any(self.lib.glob("greenfield-apps-*.jar"))

    def version(self) -> str | None:
        jars = sorted(self.lib.glob("greenfield-apps-*.jar"))
        return jars[-1].stem.removeprefix("greenfield-apps-") if jars else None

    def command(self, files: list[Path]) -> list[str]:
        return [self.java, f"-Xmx{self.heap}", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Djava.awt.headless=true", "-cp", str(self.lib / "*"), MAIN_CLASS,
                "--format", "json", "--maxfailuresdisplayed", "1", "--nonpdfext", *map(str, files)]

    def validate(self, files: list[Path]) -> dict[str, PdfaVerdict]:
        """Validate a batch; returns verdicts keyed by the path string given."""
        if not self.available():
            raise VeraPdfMissing("veraPDF is not installed in ${home}: run scripts/install-verapdf.", mapping={"home": self.lib.parent})
        if not files:
            return {}
        try:
            done = subprocess.run(self.command(files), capture_output=True,
                                  timeout=30 + self.timeout_per_file * len(files))
        except subprocess.TimeoutExpired:
            return {str(f): PdfaVerdict(False, None, error="veraPDF did not finish in time") for f in files}
        return parse_report(done.stdout, files, done.stderr.decode("utf-8", "replace"))


def parse_report(stdout: bytes, files: list[Path], stderr: str = "") -> dict[str, PdfaVerdict]:
    text = stdout.decode("utf-8", "replace")
    start = text.find("{")
    try:
        report = json.loads(text[start:]) if start >= 0 else {}
    except ValueError as exc:
        reason = f"veraPDF's report could not be read ({exc}); {stderr.strip()[-300:]}"
        return {str(f): PdfaVerdict(False, None, error=reason) for f in files}
    results: dict[str, PdfaVerdict] = {}
    for job in report.get("report", {}).get("jobs", []):
        name = job.get("itemDetails", {}).get("name")
        results[name] = _job_verdict(job)
    missing = PdfaVerdict(False, None, error="veraPDF returned no result for this file")
    return {str(f): results.get(str(f), missing) for f in files}


def _job_verdict(job: dict) -> PdfaVerdict:
    validation = job.get("validationResult")
    if isinstance(validation, list):
        validation = validation[0] if validation else None
    if not validation:
        message = (job.get("taskException") or {}).get("exceptionMessage") or "veraPDF could not parse the file"
        return PdfaVerdict(False, None, error=message)
    match = _PROFILE.search(validation.get("profileName", ""))
    flavour = f"{match.group(1)}{match.group(2).lower()}" if match else None
    rules = tuple(
        FailedRule(str(r.get("clause")), int(r.get("testNumber", 0)), r.get("description", ""),
                   int(r.get("failedChecks", 0)), r.get("specification", ""))
        for r in validation.get("details", {}).get("ruleSummaries", [])
        if r.get("ruleStatus", r.get("status", "")).upper() == "FAILED"
    )
    return PdfaVerdict(bool(validation.get("compliant")), flavour, rules)
