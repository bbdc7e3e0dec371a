"""`recordsys trust`: the root certificates whose signatures intake accepts.

Two folders hold anchors: ``metadata/trust/`` ships with the code (reviewed in the repository) and
``DATA_DIR/trust/`` holds those an administrator adds here, one PEM per certificate named by its
SHA-256 fingerprint. Adding and removing are recorded in the audit chain.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import click

from recordsys.cli.context import CommandError, echo_json, pass_env
from recordsys.core.events import AuditAction
from recordsys.i18n import translate


def fingerprint(cert) -> str:
    return hashlib.sha256(cert.dump()).hexdigest()


def describe(cert, path: Path, source: str) -> dict:
    return {
        "sha256": fingerprint(cert),
        "subject": cert.subject.human_friendly,
        "issuer": cert.issuer.human_friendly,
        "not_after": cert["tbs_certificate"]["validity"]["not_after"].native.isoformat(),
        "ca": bool(cert.ca),
        "source": source,
        "file": str(path),
    }


def anchors(settings: dict) -> list[dict]:
    """Every anchor of both folders: shipped (metadata/trust) then added (data dir)."""
    from recordsys.ingest.signatures import load_trust_roots, trust_anchor_folders

    rows = []
    for folder, source in zip(trust_anchor_folders(settings), ("shipped", "added")):
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in (".pem", ".crt", ".cer", ".der")):
            try:
                certs = load_trust_roots([path])
            except ValueError as exc:
                raise CommandError("Cannot read the trust anchor ${path}: ${exc}.", mapping={"path": path, "exc": exc}) from None
            rows += [describe(cert, path, source) for cert in certs]
    return rows


@click.group()
def trust():
    """Trust anchors: root certificates for signature checks (chứng thư số gốc tin cậy)."""


@trust.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_env
def trust_list(env, as_json):
    """List the trust anchors in use, shipped and added."""
    rows = anchors(env.settings)
    if as_json:
        for row in rows:
            echo_json(row)
        return
    if not rows:
        click.echo(translate("No trust anchors: every signature will be reported as untrusted. Add a root with `recordsys trust add FILE`.", env.lang))
    for row in rows:
        click.echo(f"{row['sha256']}  {row['source']:<7} {row['not_after'][:10]}  {row['subject']}")


@trust.command("add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reason", default="", help="Why this root is trusted (recorded in the audit trail).")
@pass_env
def trust_add(env, file, reason):
    """Trust the CA certificate(s) of FILE (PEM or DER) for signature checks."""
    from asn1crypto import pem

    from recordsys.core import audit
    from recordsys.ingest.signatures import load_trust_roots, trust_anchor_folders

    try:
        certs = load_trust_roots([file])
    except ValueError as exc:
        raise CommandError("${file} is not a certificate: ${exc}.", mapping={"file": file, "exc": exc}) from None
    if not certs:
        raise CommandError("${file} holds no certificate.", mapping={"file": file})
    for cert in certs:
        if not cert.ca:
            raise CommandError("${human_friendly} is not a CA certificate (basicConstraints CA is not set): only certification authorities can be trust anchors.", mapping={"human_friendly": cert.subject.human_friendly})
    folder = trust_anchor_folders(env.settings)[1]
    folder.mkdir(parents=True, exist_ok=True)
    known = {row["sha256"] for row in anchors(env.settings)}
    written = []
    try:
        with env.transaction() as session:
            for cert in certs:
                digest = fingerprint(cert)
                if digest in known:
                    click.echo(translate("Already trusted: ${digest} ${human_friendly}.", env.lang, {"digest": digest, "human_friendly": cert.subject.human_friendly}))
                    continue
                target = folder / f"{digest}.pem"
                tmp = target.with_suffix(".tmp")
                tmp.write_bytes(pem.armor("CERTIFICATE", cert.dump()))
                os.replace(tmp, target)
                written.append(target)
                audit.record(session, actor="cli", action=AuditAction.trust_add, object_type="certificate",
                             object_id=digest[:64], payload={"subject": cert.subject.human_friendly,
                                                             "source_file": str(file), "reason": reason})
                click.echo(translate("Trusted ${digest} ${subject}.", env.lang, {"digest": digest, "subject": cert.subject.human_friendly}))
    except BaseException:
        for path in written:  # the audit event did not commit: neither does the anchor
            path.unlink(missing_ok=True)
        raise


@trust.command("remove")
@click.argument("sha256")
@click.option("--reason", default="", help="Why (recorded in the audit trail).")
@pass_env
def trust_remove(env, sha256, reason):
    """Stop trusting an added anchor, given its SHA-256 fingerprint (or at least 8 first digits)."""
    from recordsys.core import audit

    prefix = sha256.strip().lower().replace(":", "")
    if len(prefix) < 8:
        raise CommandError("Give at least the first 8 hexadecimal digits of the fingerprint.")
    matches = [row for row in anchors(env.settings) if row["sha256"].startswith(prefix)]
    if not matches:
        raise CommandError("No trust anchor has the fingerprint ${sha256} (see `recordsys trust list`).", mapping={"sha256": sha256})
    if len({row["sha256"] for row in matches}) > 1:
        raise CommandError("${sha256} matches several anchors; give more digits.", mapping={"sha256": sha256})
    row = matches[0]
    if row["source"] == "shipped":
        raise CommandError("${row} ships with recordsys in ${row2}; remove it there through a reviewed change of the repository.", mapping={"row": row['subject'], "row2": row['file']})
    path = Path(row["file"])
    parked = path.with_name(path.name + ".removing")  # not a trust-root suffix: no longer loaded
    os.replace(path, parked)
    try:
        with env.transaction() as session:
            audit.record(session, actor="cli", action=AuditAction.trust_remove, object_type="certificate",
                         object_id=row["sha256"], payload={"subject": row["subject"], "reason": reason})
    except BaseException:
        os.replace(parked, path)  # the audit event did not commit: the anchor stays
        raise
    parked.unlink()
    click.echo(translate("No longer trusted: ${row} ${row2}.", env.lang, {"row": row['sha256'], "row2": row['subject']}))
