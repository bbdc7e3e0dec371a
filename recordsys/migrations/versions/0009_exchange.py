"""exchange: outbox (exact bytes), delivery attempts, inbox (unique per agency and DocumentId), status
history, hub members, hub messages and seen request signatures

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('exchange_hub_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('system_id', sa.String(length=64), nullable=False),
    sa.Column('secret', sa.String(length=128), nullable=False),
    sa.Column('organs', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_hub_members')),
    sa.UniqueConstraint('system_id', name=op.f('uq_exchange_hub_members_system_id'))
    )
    op.create_table('exchange_hub_seen',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signature', sa.String(length=64), nullable=False),
    sa.Column('system_id', sa.String(length=64), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_hub_seen')),
    sa.UniqueConstraint('signature', name=op.f('uq_exchange_hub_seen_signature'))
    )
    with op.batch_alter_table('exchange_hub_seen', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_hub_seen_seen_at'), ['seen_at'], unique=False)

    op.create_table('exchange_hub_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('doc_id', sa.String(length=64), nullable=False),
    sa.Column('message_type', sa.String(length=16), nullable=False),
    sa.Column('from_organ', sa.String(length=20), nullable=False),
    sa.Column('to_organ', sa.String(length=20), nullable=False),
    sa.Column('system_id', sa.String(length=64), nullable=True),
    sa.Column('sender_system_id', sa.String(length=64), nullable=True),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_exchange_hub_messages_file_id_stored_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_hub_messages')),
    sa.UniqueConstraint('doc_id', name=op.f('uq_exchange_hub_messages_doc_id'))
    )
    with op.batch_alter_table('exchange_hub_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_hub_messages_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_hub_messages_system_id'), ['system_id'], unique=False)

    op.create_table('exchange_inbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('envelope_sha256', sa.String(length=64), nullable=False),
    sa.Column('edxml_document_id', sa.String(length=255), nullable=False),
    sa.Column('from_organ', sa.String(length=20), nullable=False),
    sa.Column('from_name', sa.String(length=255), nullable=True),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('verdict', sa.JSON(), nullable=False),
    sa.Column('registered_document_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_via', sa.String(length=32), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_exchange_inbox_file_id_stored_files')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_exchange_inbox_organization_id_organizations')),
    sa.ForeignKeyConstraint(['registered_document_id'], ['documents.id'], name=op.f('fk_exchange_inbox_registered_document_id_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_inbox')),
    sa.UniqueConstraint('organization_id', 'edxml_document_id', name=op.f('uq_exchange_inbox_organization_id'))
    )
    with op.batch_alter_table('exchange_inbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_inbox_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_inbox_state'), ['state'], unique=False)

    op.create_table('exchange_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('edxml_document_id', sa.String(length=255), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('status_code', sa.String(length=2), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_exchange_outbox_document_id_documents')),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_exchange_outbox_file_id_stored_files')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_exchange_outbox_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_outbox'))
    )
    with op.batch_alter_table('exchange_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_outbox_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_outbox_edxml_document_id'), ['edxml_document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_outbox_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_outbox_state'), ['state'], unique=False)

    op.create_table('exchange_statuses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('edxml_document_id', sa.String(length=255), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('recipient', sa.String(length=20), nullable=False),
    sa.Column('status_code', sa.String(length=2), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('envelope_sha256', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_exchange_statuses_document_id_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_statuses'))
    )
    with op.batch_alter_table('exchange_statuses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_statuses_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_statuses_edxml_document_id'), ['edxml_document_id'], unique=False)

    op.create_table('exchange_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('transport', sa.String(length=32), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['exchange_outbox.id'], name=op.f('fk_exchange_attempts_message_id_exchange_outbox')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_attempts'))
    )
    with op.batch_alter_table('exchange_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_attempts_message_id'), ['message_id'], unique=False)



def downgrade():
    with op.batch_alter_table('exchange_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_attempts_message_id'))

    op.drop_table('exchange_attempts')
    with op.batch_alter_table('exchange_statuses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_statuses_edxml_document_id'))
        batch_op.drop_index(batch_op.f('ix_exchange_statuses_document_id'))

    op.drop_table('exchange_statuses')
    with op.batch_alter_table('exchange_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_outbox_state'))
        batch_op.drop_index(batch_op.f('ix_exchange_outbox_organization_id'))
        batch_op.drop_index(batch_op.f('ix_exchange_outbox_edxml_document_id'))
        batch_op.drop_index(batch_op.f('ix_exchange_outbox_document_id'))

    op.drop_table('exchange_outbox')
    with op.batch_alter_table('exchange_inbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_inbox_state'))
        batch_op.drop_index(batch_op.f('ix_exchange_inbox_organization_id'))

    op.drop_table('exchange_inbox')
    with op.batch_alter_table('exchange_hub_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_hub_messages_system_id'))
        batch_op.drop_index(batch_op.f('ix_exchange_hub_messages_state'))

    op.drop_table('exchange_hub_messages')
    with op.batch_alter_table('exchange_hub_seen', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_hub_seen_seen_at'))

    op.drop_table('exchange_hub_seen')
    op.drop_table('exchange_hub_members')
