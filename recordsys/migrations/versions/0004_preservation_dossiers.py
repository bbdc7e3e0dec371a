"""preservation packages and dossiers

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('storage_locations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('path', sa.String(length=1024), nullable=False),
    sa.Column('cycle_days', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_storage_locations')),
    sa.UniqueConstraint('name', name=op.f('uq_storage_locations_name'))
    )
    op.create_table('disposition_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('dossier_ids', sa.JSON(), nullable=False),
    sa.Column('history', sa.JSON(), nullable=False),
    sa.Column('destroyed_record', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_disposition_batches_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disposition_batches'))
    )
    with op.batch_alter_table('disposition_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disposition_batches_organization_id'), ['organization_id'], unique=False)

    op.create_table('dossier_plan_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('retention', sa.String(length=20), nullable=False),
    sa.Column('responsible_unit', sa.String(length=255), nullable=True),
    sa.Column('responsible_person', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_dossier_plan_entries_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_plan_entries')),
    sa.UniqueConstraint('organization_id', 'year', 'code', name=op.f('uq_dossier_plan_entries_organization_id'))
    )
    with op.batch_alter_table('dossier_plan_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_plan_entries_organization_id'), ['organization_id'], unique=False)

    op.create_table('packages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('external_identifier', sa.String(length=255), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('tagmanifest_sha256', sa.String(length=64), nullable=False),
    sa.Column('payload_oxum', sa.String(length=64), nullable=False),
    sa.Column('files', sa.Integer(), nullable=False),
    sa.Column('bytes', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_packages_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_packages')),
    sa.UniqueConstraint('name', name=op.f('uq_packages_name'))
    )
    with op.batch_alter_table('packages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_packages_external_identifier'), ['external_identifier'], unique=False)
        batch_op.create_index(batch_op.f('ix_packages_organization_id'), ['organization_id'], unique=False)

    op.create_table('transfer_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('dossier_ids', sa.JSON(), nullable=False),
    sa.Column('record_sha256', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_transfer_batches_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_batches'))
    )
    with op.batch_alter_table('transfer_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfer_batches_organization_id'), ['organization_id'], unique=False)

    op.create_table('dossiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('plan_entry_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('retention', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('archival_code', sa.String(length=255), nullable=False),
    sa.Column('legal_hold', sa.Text(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_dossiers_organization_id_organizations')),
    sa.ForeignKeyConstraint(['plan_entry_id'], ['dossier_plan_entries.id'], name=op.f('fk_dossiers_plan_entry_id_dossier_plan_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossiers')),
    sa.UniqueConstraint('organization_id', 'year', 'code', name=op.f('uq_dossiers_organization_id'))
    )
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossiers_archival_code'), ['archival_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_organization_id'), ['organization_id'], unique=False)

    op.create_table('package_copies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('package_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('stored_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_check_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['storage_locations.id'], name=op.f('fk_package_copies_location_id_storage_locations')),
    sa.ForeignKeyConstraint(['package_id'], ['packages.id'], name=op.f('fk_package_copies_package_id_packages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_package_copies')),
    sa.UniqueConstraint('package_id', 'location_id', name=op.f('uq_package_copies_package_id'))
    )
    with op.batch_alter_table('package_copies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_package_copies_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_package_copies_next_check_at'), ['next_check_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_package_copies_package_id'), ['package_id'], unique=False)

    op.create_table('preservation_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('package_id', sa.Integer(), nullable=False),
    sa.Column('event_type', sa.String(length=32), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('agent', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['package_id'], ['packages.id'], name=op.f('fk_preservation_events_package_id_packages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_preservation_events'))
    )
    with op.batch_alter_table('preservation_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_preservation_events_package_id'), ['package_id'], unique=False)

    op.create_table('dossier_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('waiver', sa.Text(), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_dossier_items_document_id_documents')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_dossier_items_dossier_id_dossiers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_items')),
    sa.UniqueConstraint('dossier_id', 'document_id', name=op.f('uq_dossier_items_dossier_id'))
    )
    with op.batch_alter_table('dossier_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_items_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossier_items_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('fixity_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('copy_id', sa.Integer(), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['copy_id'], ['package_copies.id'], name=op.f('fk_fixity_checks_copy_id_package_copies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fixity_checks'))
    )
    with op.batch_alter_table('fixity_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fixity_checks_copy_id'), ['copy_id'], unique=False)



def downgrade():
    with op.batch_alter_table('fixity_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fixity_checks_copy_id'))

    op.drop_table('fixity_checks')
    with op.batch_alter_table('dossier_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_items_dossier_id'))
        batch_op.drop_index(batch_op.f('ix_dossier_items_document_id'))

    op.drop_table('dossier_items')
    with op.batch_alter_table('preservation_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_preservation_events_package_id'))

    op.drop_table('preservation_events')
    with op.batch_alter_table('package_copies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_package_copies_package_id'))
        batch_op.drop_index(batch_op.f('ix_package_copies_next_check_at'))
        batch_op.drop_index(batch_op.f('ix_package_copies_location_id'))

    op.drop_table('package_copies')
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossiers_organization_id'))
        batch_op.drop_index(batch_op.f('ix_dossiers_archival_code'))

    op.drop_table('dossiers')
    with op.batch_alter_table('transfer_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfer_batches_organization_id'))

    op.drop_table('transfer_batches')
    with op.batch_alter_table('packages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_packages_organization_id'))
        batch_op.drop_index(batch_op.f('ix_packages_external_identifier'))

    op.drop_table('packages')
    with op.batch_alter_table('dossier_plan_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_plan_entries_organization_id'))

    op.drop_table('dossier_plan_entries')
    with op.batch_alter_table('disposition_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disposition_batches_organization_id'))

    op.drop_table('disposition_batches')
    op.drop_table('storage_locations')
