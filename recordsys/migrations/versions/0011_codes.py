"""codes: dossier, document and package codes built on the agency identifier (Circular 05/2025);
the Circular 02/2019 codes (fonds code, 3-digit ordinals) kept as alternative identifiers

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 13:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

SCHEME = "circular02"

alternative = sa.table(
    "alternative_identifiers", sa.column("id", sa.Integer), sa.column("kind", sa.String),
    sa.column("object_id", sa.Integer), sa.column("scheme", sa.String), sa.column("value", sa.String))
organizations = sa.table("organizations", sa.column("id", sa.Integer), sa.column("code", sa.String))
dossiers = sa.table(
    "dossiers", sa.column("id", sa.Integer), sa.column("organization_id", sa.Integer), sa.column("year", sa.Integer),
    sa.column("code", sa.String), sa.column("archival_code", sa.String), sa.column("fields", sa.JSON))
items = sa.table("dossier_items", sa.column("id", sa.Integer), sa.column("dossier_id", sa.Integer),
                 sa.column("document_id", sa.Integer), sa.column("ordinal", sa.Integer))
packages = sa.table("packages", sa.column("id", sa.Integer), sa.column("external_identifier", sa.String),
                    sa.column("source", sa.String), sa.column("source_id", sa.Integer))


def _new_code(agency: str, year: int, notation: str) -> str:
    return f"{agency}.{int(year)}.{notation}"


def upgrade():
    op.create_table('alternative_identifiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('scheme', sa.String(length=32), nullable=False),
    sa.Column('value', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alternative_identifiers')),
    sa.UniqueConstraint('kind', 'object_id', 'scheme', 'value',
                        name=op.f('uq_alternative_identifiers_kind'))
    )
    with op.batch_alter_table('alternative_identifiers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alternative_identifiers_object_id'), ['object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alternative_identifiers_value'), ['value'], unique=False)

    bind = op.get_bind()
    agencies = dict(bind.execute(sa.select(organizations.c.id, organizations.c.code)).all())
    recoded = {}  # dossier id -> (old code, new code)
    for row in bind.execute(sa.select(dossiers)).mappings().all():
        new = _new_code(agencies[row["organization_id"]], row["year"], row["code"])
        old = row["archival_code"]
        if old == new:
            continue
        recoded[row["id"]] = (old, new)
        fields = dict(row["fields"] or {})
        if fields.get("FileCode") == old:
            fields["FileCode"] = new
        bind.execute(alternative.insert().values(kind="dossier", object_id=row["id"], scheme=SCHEME, value=old))
        bind.execute(dossiers.update().where(dossiers.c.id == row["id"]).values(archival_code=new, fields=fields))
    for item in bind.execute(sa.select(items)).mappings().all():
        if item["dossier_id"] in recoded:
            old = f"{recoded[item['dossier_id']][0]}.{item['ordinal']:03d}"
            bind.execute(alternative.insert().values(kind="document", object_id=item["document_id"], scheme=SCHEME,
                                                     value=old))
    for package in bind.execute(sa.select(packages)).mappings().all():
        # the bag's folder name (packages.name) is where it is stored: it stays; only the identifier changes
        if package["source"] != "dossier" or package["source_id"] not in recoded:
            continue
        old, new = recoded[package["source_id"]]
        if package["external_identifier"] != old:
            continue
        bind.execute(alternative.insert().values(kind="package", object_id=package["id"], scheme=SCHEME, value=old))
        bind.execute(packages.update().where(packages.c.id == package["id"]).values(external_identifier=new))


def downgrade():
    bind = op.get_bind()
    old = {(r.kind, r.object_id): r.value for r in bind.execute(
        sa.select(alternative).where(alternative.c.scheme == SCHEME)).all()}
    for row in bind.execute(sa.select(dossiers)).mappings().all():
        value = old.get(("dossier", row["id"]))
        if value is None:
            continue
        fields = dict(row["fields"] or {})
        if fields.get("FileCode") == row["archival_code"]:
            fields["FileCode"] = value
        bind.execute(dossiers.update().where(dossiers.c.id == row["id"]).values(archival_code=value, fields=fields))
    for package in bind.execute(sa.select(packages.c.id)).all():
        value = old.get(("package", package.id))
        if value is not None:
            bind.execute(packages.update().where(packages.c.id == package.id).values(external_identifier=value))
    with op.batch_alter_table('alternative_identifiers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alternative_identifiers_value'))
        batch_op.drop_index(batch_op.f('ix_alternative_identifiers_object_id'))

    op.drop_table('alternative_identifiers')
