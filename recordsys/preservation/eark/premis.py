"""PREMIS 3 preservation metadata of an AIP: ``metadata/preservation/PREMIS.xml`` (the package, an
intellectual entity, and its events) and ``representations/<rep>/metadata/preservation/PREMIS_<rep>.xml``
(the representation, its files with fixity and original names, and its events). Pure."""
from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from recordsys.preservation.eark.descriptive import xml_text
from recordsys.preservation.eark.mets import FileRef
from recordsys.preservation.premis import Event

PREMIS = "http://www.loc.gov/premis/v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_URL = "http://www.loc.gov/standards/premis/v3/premis.xsd"  # referenced by URL, not copied
ID_TYPE = "recordsys archival code"


def _q(name: str) -> str:
    return f"{{{PREMIS}}}{name}"


def _sub(parent, name: str, text: str | None = None, **attrs):
    node = etree.SubElement(parent, _q(name), attrs)
    if text is not None:
        node.text = xml_text(text)
    return node


def _identifier(parent, kind: str, id_type: str, value: str) -> None:
    node = _sub(parent, f"{kind}Identifier")
    _sub(node, f"{kind}IdentifierType", id_type)
    _sub(node, f"{kind}IdentifierValue", value)


def _root():
    root = etree.Element(_q("premis"), nsmap={"premis": PREMIS, "xsi": XSI}, version="3.0")
    root.set(f"{{{XSI}}}schemaLocation", f"{PREMIS} {SCHEMA_URL}")
    return root


def _object(root, xsi_type: str, identifier: str):
    node = _sub(root, "object")
    node.set(f"{{{XSI}}}type", f"premis:{xsi_type}")
    _identifier(node, "object", ID_TYPE, identifier)
    return node


def _events(root, events: Sequence[Event], object_identifier: str) -> None:
    for event in events:
        node = _sub(root, "event")
        _identifier(node, "event", "UUID", event.identifier)
        _sub(node, "eventType", event.type)
        _sub(node, "eventDateTime", event.at.isoformat())
        if event.detail:
            _sub(_sub(node, "eventDetailInformation"), "eventDetail", event.detail)
        _sub(_sub(node, "eventOutcomeInformation"), "eventOutcome", event.outcome)
        agent = _sub(node, "linkingAgentIdentifier")
        _sub(agent, "linkingAgentIdentifierType", "recordsys user")
        _sub(agent, "linkingAgentIdentifierValue", event.agent)
        linked = _sub(node, "linkingObjectIdentifier")
        _sub(linked, "linkingObjectIdentifierType", ID_TYPE)
        _sub(linked, "linkingObjectIdentifierValue", object_identifier)
    for name in sorted({e.agent for e in events}):
        agent = _sub(root, "agent")
        _identifier(agent, "agent", "recordsys user", name)
        _sub(agent, "agentName", name)
        _sub(agent, "agentType", "person")


def _serialise(root) -> bytes:
    etree.indent(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def package_premis(package_id: str, events: Sequence[Event]) -> bytes:
    root = _root()
    _object(root, "intellectualEntity", package_id)
    _events(root, events, package_id)
    return _serialise(root)


def representation_premis(representation_id: str, files: Sequence[tuple[str, FileRef]],
                          events: Sequence[Event]) -> bytes:
    """``files`` holds (identifier of the file in the package, its reference); the reference's title
    (the user's file name) becomes ``originalName``."""
    root = _root()
    rep = _object(root, "representation", representation_id)
    for identifier, _ in files:
        rel = _sub(rep, "relationship")
        _sub(rel, "relationshipType", "structural")
        _sub(rel, "relationshipSubType", "includes")
        related = _sub(rel, "relatedObjectIdentifier")
        _sub(related, "relatedObjectIdentifierType", ID_TYPE)
        _sub(related, "relatedObjectIdentifierValue", identifier)
    for identifier, ref in files:
        node = _object(root, "file", identifier)
        characteristics = _sub(node, "objectCharacteristics")
        _sub(characteristics, "compositionLevel", "0")
        fixity = _sub(characteristics, "fixity")
        _sub(fixity, "messageDigestAlgorithm", "SHA-256")
        _sub(fixity, "messageDigest", ref.sha256)
        _sub(characteristics, "size", str(ref.size))
        _sub(_sub(_sub(characteristics, "format"), "formatDesignation"), "formatName", ref.mimetype)
        if ref.title:
            _sub(node, "originalName", ref.title)
    _events(root, events, representation_id)
    return _serialise(root)
