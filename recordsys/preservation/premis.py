"""A PREMIS 3 event log of a package, as XML (tag file ``metadata/premis.xml``)."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

NS = "http://www.loc.gov/premis/v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


@dataclass(frozen=True)
class Event:
    type: str  # ingestion, validation, format conversion, transfer, fixity check, replication …
    at: dt.datetime
    agent: str
    outcome: str = "success"
    detail: str = ""
    identifier: str = field(default_factory=lambda: str(uuid.uuid4()))


def event_log(object_identifier: str, events: list[Event]) -> bytes:
    ET.register_namespace("premis", NS)
    ET.register_namespace("xsi", XSI)
    root = ET.Element(f"{{{NS}}}premis", {"version": "3.0"})
    # PREMIS 3's object is abstract: the type says what it is (the package, an intellectual entity)
    obj = ET.SubElement(root, f"{{{NS}}}object", {f"{{{XSI}}}type": "premis:intellectualEntity"})
    ident = ET.SubElement(obj, f"{{{NS}}}objectIdentifier")
    ET.SubElement(ident, f"{{{NS}}}objectIdentifierType").text = "recordsys archival code"
    ET.SubElement(ident, f"{{{NS}}}objectIdentifierValue").text = object_identifier
    for event in events:
        node = ET.SubElement(root, f"{{{NS}}}event")
        eid = ET.SubElement(node, f"{{{NS}}}eventIdentifier")
        ET.SubElement(eid, f"{{{NS}}}eventIdentifierType").text = "UUID"
        ET.SubElement(eid, f"{{{NS}}}eventIdentifierValue").text = event.identifier
        ET.SubElement(node, f"{{{NS}}}eventType").text = event.type
        ET.SubElement(node, f"{{{NS}}}eventDateTime").text = event.at.isoformat()
        if event.detail:
            info = ET.SubElement(node, f"{{{NS}}}eventDetailInformation")
            ET.SubElement(info, f"{{{NS}}}eventDetail").text = event.detail
        outcome = ET.SubElement(node, f"{{{NS}}}eventOutcomeInformation")
        ET.SubElement(outcome, f"{{{NS}}}eventOutcome").text = event.outcome
        agent = ET.SubElement(node, f"{{{NS}}}linkingAgentIdentifier")
        ET.SubElement(agent, f"{{{NS}}}linkingAgentIdentifierType").text = "recordsys user"
        ET.SubElement(agent, f"{{{NS}}}linkingAgentIdentifierValue").text = event.agent
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
