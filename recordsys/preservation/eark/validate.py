"""Validation of an E-ARK information package, offline: the E-ARK Foundation's ``eark-validator``
(structure, METS schema, CSIP/SIP/DIP Schematron rules) plus our own check that every file a METS
document references is inside the package, present, of the stated size and checksum.

``eark-validator`` downloads four CSIP vocabularies from earkcsip.dilcis.eu when its Schematron
module is imported. This machine (and an archive's isolated network) cannot, so the import is done
once with ``urllib.request.urlopen`` replaced by a reader of the copies vendored in
``metadata/eark/vocabularies/`` (CC BY 4.0, see the NOTICE there); any other URL is refused.
"""
from __future__ import annotations

import hashlib
import importlib
import io
import sys
import tempfile
import threading
import urllib.request
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote
from xml.etree import ElementTree as ET

from recordsys.metadata import DEFAULT_DIR

VOCABULARY_DIR = DEFAULT_DIR / "eark" / "vocabularies"
VOCABULARY_URL = "https://earkcsip.dilcis.eu/schema/"
SPEC_VERSION = "2.0.4"
METS_NS = "http://www.loc.gov/METS/"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_HASHES = {"SHA-256": "sha256", "SHA-512": "sha512", "SHA-1": "sha1", "MD5": "md5", "SHA-384": "sha384"}
_import_lock = threading.Lock()


class OfflineError(OSError):
    """eark-validator asked for a URL we do not serve from the vendored copies."""


@dataclass(frozen=True)
class Finding:
    rule: str
    location: str
    message: str


@dataclass(frozen=True)
class PackageReport:
    """The verdict on one package: valid when there is no error (warnings do not count)."""

    valid: bool
    errors: tuple[Finding, ...]
    warnings: tuple[Finding, ...]

    def to_dict(self) -> dict:
        return {"valid": self.valid, "errors": [asdict(e) for e in self.errors],
                "warnings": [asdict(w) for w in self.warnings]}


def _local_urlopen(url, *args, **kwargs):
    name = url[len(VOCABULARY_URL):] if isinstance(url, str) and url.startswith(VOCABULARY_URL) else ""
    path = VOCABULARY_DIR / name
    if not name or "/" in name or not path.is_file():
        raise OfflineError(f"recordsys validates packages offline and will not fetch {url!r}; "
                           f"vendor the file into {VOCABULARY_DIR}")
    return io.BytesIO(path.read_bytes())


def _eark_packages():
    """The ``eark_validator.packages`` module, its vocabularies read from the vendored copies."""
    name = "eark_validator.ipxml.schematron"
    with _import_lock:
        if name not in sys.modules:
            original = urllib.request.urlopen
            urllib.request.urlopen = _local_urlopen
            try:
                importlib.import_module(name)
            finally:
                urllib.request.urlopen = original
    return importlib.import_module("eark_validator.packages")


def _severity_lists(results) -> tuple[list[Finding], list[Finding]]:
    errors, warnings = [], []
    for result in results:
        finding = Finding(result.rule_id or "", result.location or "", result.message or "")
        level = str(getattr(result.severity, "value", result.severity)).lower()
        if level == "error":
            errors.append(finding)
        elif level == "warning":
            warnings.append(finding)
    return errors, warnings


def _eark_findings(folder: Path, version: str) -> tuple[list[Finding], list[Finding]]:
    packages = _eark_packages()
    from eark_validator.mets import MetsValidator
    from eark_validator.specifications.specification import SpecificationVersion

    try:
        report = packages.PackageValidator.validate(SpecificationVersion(f"V{version}"), folder)
        results = list(report.structure.messages if report.structure else [])
        if report.metadata:
            results += report.metadata.schema_results.messages + report.metadata.schematron_results.messages
        for rep_mets in sorted((folder / "representations").glob("*/METS.xml")):  # the validator reads only the root
            checker = MetsValidator(str(rep_mets.parent))
            checker.validate_mets("METS.xml")
            results += checker.validation_errors
    except (ValueError, OSError, KeyError, AttributeError, TypeError) as exc:  # it gives up on broken METS
        return [Finding("EARK-VALIDATOR", str(folder), f"eark-validator could not read the package: {exc}")], []
    return _severity_lists(results)


# eark-validator 1.1.3 implements SIP14 of E-ARK SIP 2.0.4 as "every note of a CREATOR agent has an
# unqualified @NOTETYPE = 'IDENTIFICATIONCODE'". The profile (its own copy, E-ARK-SIP.xml V2.0.4)
# says the *archival creator* agent's note carries csip:NOTETYPE = IDENTIFICATIONCODE; the validator's
# reading hits the CSIP software agent, whose note CSIP16 requires to be csip:NOTETYPE = "SOFTWARE
# VERSION", and an unqualified NOTETYPE is refused by the METS schema — no SIP can pass both. Unless
# ``strict``, its SIP14 findings become warnings and SIP14 is checked as the profile states it.
DEFECTIVE_RULES = {"SIP14": "eark-validator 1.1.3 tests SIP14 on the software agent with an unqualified "
                            "@NOTETYPE, which CSIP16 and the METS schema forbid; recordsys checks SIP14 as the "
                            "SIP 2.0.4 profile states it instead. Original finding: "}
CSIP_NS = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"


def _sip14(folder: Path) -> list[Finding]:
    """SIP14 as the profile states it: the archival creator agent's note is csip:NOTETYPE IDENTIFICATIONCODE."""
    try:
        header = ET.parse(folder / "METS.xml").getroot().find(f"{{{METS_NS}}}metsHdr")
    except (ET.ParseError, OSError):
        return []
    if header is None or header.get(f"{{{CSIP_NS}}}OAISPACKAGETYPE") != "SIP":
        return []
    return [Finding("SIP14", "METS.xml metsHdr/agent[@ROLE='ARCHIVIST']/note",
                    "The archival creator agent note MUST have csip:NOTETYPE = IDENTIFICATIONCODE.")
            for agent in header.findall(f"{{{METS_NS}}}agent") if agent.get("ROLE") == "ARCHIVIST"
            for note in agent.findall(f"{{{METS_NS}}}note")
            if note.get(f"{{{CSIP_NS}}}NOTETYPE") != "IDENTIFICATIONCODE"]


def _corrected(folder: Path, errors: list[Finding], warnings: list[Finding]) -> tuple[list[Finding], list[Finding]]:
    kept = [e for e in errors if e.rule not in DEFECTIVE_RULES]
    demoted = [Finding(e.rule, e.location, DEFECTIVE_RULES[e.rule] + e.message)
               for e in errors if e.rule in DEFECTIVE_RULES]
    return kept + _sip14(folder), warnings + demoted


def _inside(root: Path, href: str) -> Path | None:
    """The file ``href`` names inside ``root``, or None when it would leave the package."""
    if not href or "\x00" in href or "\\" in href or ":" in href.split("/", 1)[0]:
        return None
    relative = PurePosixPath(href)
    if relative.is_absolute() or ".." in relative.parts:
        return None
    return root.joinpath(*relative.parts)


def _digest(path: Path, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _reference_findings(mets: Path, package: Path) -> list[Finding]:
    """Fixity of every ``file`` and ``mdRef`` of one METS document (hrefs relative to its folder)."""
    findings: list[Finding] = []
    name = mets.relative_to(package).as_posix()
    try:
        tree = ET.parse(mets)
    except (ET.ParseError, OSError) as exc:
        return [Finding("FIXITY-METS", name, f"METS file cannot be read: {exc}")]
    for node in tree.iter():
        if node.tag == f"{{{METS_NS}}}file":
            location = node.find(f"{{{METS_NS}}}FLocat")
            href = location.get(XLINK_HREF, "") if location is not None else ""
        elif node.tag == f"{{{METS_NS}}}mdRef":
            href = node.get(XLINK_HREF, "")
        else:
            continue
        findings += _check_file(mets.parent, href, node.get("SIZE"), node.get("CHECKSUMTYPE"), node.get("CHECKSUM"),
                                f"{name} -> {href}")
    return findings


def _check_file(root: Path, href: str, size: str | None, kind: str | None, checksum: str | None,
                where: str) -> list[Finding]:
    if "%" in href and _inside(root, href) is not None and not (root / href).exists():
        href = unquote(href)  # hrefs are URLs: data/T%E1%BB%9D%20tr%C3%ACnh.pdf
    path = _inside(root, href)
    if path is None:
        return [Finding("FIXITY-HREF", where, f"Reference {href!r} points outside the package.")]
    if not path.resolve().is_relative_to(root.resolve()):  # a symbolic link out of the package
        return [Finding("FIXITY-HREF", where, f"Reference {href!r} resolves outside the package.")]
    if not path.is_file():
        return [Finding("FIXITY-MISSING", where, f"Referenced file {href!r} is missing.")]
    if size is None or not size.isdigit() or int(size) != path.stat().st_size:
        return [Finding("FIXITY-SIZE", where, f"Size of {href!r} is {path.stat().st_size}, METS says {size}.")]
    algorithm = _HASHES.get((kind or "").upper())
    if algorithm is None:
        return [Finding("FIXITY-ALGORITHM", where, f"Checksum type {kind!r} of {href!r} is not supported.")]
    actual = _digest(path, algorithm)
    if actual != (checksum or "").lower():
        return [Finding("FIXITY-CHECKSUM", where, f"{kind} of {href!r} is {actual}, METS says {checksum}.")]
    return []


def _fixity_findings(folder: Path) -> list[Finding]:
    root_mets = folder / "METS.xml"
    if not root_mets.is_file():
        return []  # eark-validator reports the missing METS.xml
    findings = _reference_findings(root_mets, folder)
    for rep_mets in sorted((folder / "representations").glob("*/METS.xml")):
        findings += _reference_findings(rep_mets, folder)
    return findings


def _safe_extract(archive: Path, target: Path) -> tuple[Path | None, list[Finding]]:
    """Unzip ``archive`` into ``target`` refusing names that would leave it; returns the package folder."""
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            if _inside(target, info.filename.rstrip("/")) is None:
                return None, [Finding("ZIP-PATH", info.filename, "Zip entry would be written outside the package.")]
        zipped.extractall(target)
    children = [p for p in target.iterdir()]
    if len(children) != 1 or not children[0].is_dir():
        return None, [Finding("ZIP-ROOT", archive.name, "A zipped package must hold exactly one folder.")]
    return children[0], []


def validate_package(path: str | Path, version: str = SPEC_VERSION, strict: bool = False) -> PackageReport:
    """Validate a package folder (or a zip holding one folder) against E-ARK CSIP/SIP/DIP ``version``
    and check the fixity of every reference. ``strict`` keeps eark-validator's verdict on the rules in
    DEFECTIVE_RULES as it is. Never raises for a broken package: the problems are in the report."""
    path = Path(path)
    if path.is_file() and zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory(prefix="eark-") as tmp:
            folder, problems = _safe_extract(path, Path(tmp))
            return _report(problems, []) if folder is None else _validate_folder(folder, version, strict)
    if not path.is_dir():
        return _report([Finding("PACKAGE-PATH", str(path), "Not a package folder or a zip file.")], [])
    return _validate_folder(path, version, strict)


def _validate_folder(folder: Path, version: str, strict: bool) -> PackageReport:
    folder = folder.resolve()
    errors, warnings = _eark_findings(folder, version)
    if not strict:
        errors, warnings = _corrected(folder, errors, warnings)
    return _report(errors + _fixity_findings(folder), warnings)


def _report(errors: list[Finding], warnings: list[Finding]) -> PackageReport:
    return PackageReport(not errors, tuple(errors), tuple(warnings))
