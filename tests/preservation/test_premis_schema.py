"""The PREMIS 3 we write validates against the Library of Congress schema (metadata/premis/,
premis-v3-0.xsd, read offline with lxml): the AIP's package and representation files, and the
event log kept beside every bag."""
import datetime as dt
from pathlib import Path

import pytest
from lxml import etree

from recordsys.metadata import metadata_dir
from recordsys.preservation.premis import Event, event_log
from tests.preservation.test_eark_package import aip, sources  # noqa: F401  (the fixtures)

WHEN = dt.datetime(2026, 4, 2, 8, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def schema():
    path = metadata_dir() / "premis" / "premis-v3-0.xsd"
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(path), parser))


def _errors(schema, data: bytes) -> list[str]:
    document = etree.fromstring(data, etree.XMLParser(no_network=True, resolve_entities=False))
    return [] if schema.validate(document) else [f"{e.line}: {e.message}" for e in schema.error_log]


def test_aip_premis_files_are_valid_premis_3(schema, aip):  # noqa: F811
    files = [aip / "metadata/preservation/PREMIS.xml",
             aip / "representations/rep1/metadata/preservation/PREMIS_rep1.xml"]
    for path in files:
        assert _errors(schema, path.read_bytes()) == [], path.name


def test_bag_event_log_is_valid_premis_3(schema):
    events = [Event("ingestion", WHEN, "luutru", detail="Tiếp nhận hồ sơ 000.00.01.H41.2026.01.TCCB"),
              Event("fixity check", WHEN, "kiemtra", outcome="failure", detail="tệp 0001.pdf khác SHA-256"),
              Event("replication", WHEN, "luutru")]
    assert _errors(schema, event_log("000.00.01.H41.2026.01.TCCB", events)) == []


def test_the_schema_refuses_what_premis_3_does_not_allow(schema, aip):  # noqa: F811
    """The check has teeth: an event without its type, or an object without its identifier."""
    root = etree.parse(str(aip / "metadata/preservation/PREMIS.xml")).getroot()
    premis = "{http://www.loc.gov/premis/v3}"
    event = root.find(f"{premis}event")
    event.remove(event.find(f"{premis}eventType"))
    assert any("eventDateTime" in e or "eventType" in e for e in _errors(schema, etree.tostring(root)))


def test_the_vendored_schema_is_the_recorded_one():
    import hashlib

    data = (Path(metadata_dir()) / "premis" / "premis-v3-0.xsd").read_bytes()
    assert hashlib.sha256(data).hexdigest() == "03b8a77a20b32b882ad799e12262671d07ad18210c60233f4e613a1289491cba"
    assert "03b8a77a20b32b882ad799e12262671d07ad18210c60233f4e613a1289491cba" in (
        Path(metadata_dir()) / "premis" / "NOTICE").read_text()
