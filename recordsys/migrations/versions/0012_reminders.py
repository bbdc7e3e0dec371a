"""workflow reminders sent once per item, kind and day; indexes for the statistics

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('workflow_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_type', sa.String(length=16), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workflow_reminders')),
    sa.UniqueConstraint('item_type', 'item_id', 'kind', 'day', name=op.f('uq_workflow_reminders_item_type'))
    )
    op.create_index('ix_documents_org_registered_at', 'documents', ['organization_id', 'registered_at'], unique=False,
                    postgresql_include=['id', 'direction', 'delivery_mode', 'signature_status'])
    op.create_index('ix_workflow_assignments_org_stats', 'workflow_assignments', ['organization_id'], unique=False,
                    postgresql_include=['document_id', 'state', 'deadline', 'completed_on'])
    op.create_index('ix_exchange_inbox_org_registered', 'exchange_inbox', ['organization_id'], unique=False,
                    postgresql_include=['registered_document_id', 'received_via'])


def downgrade():
    op.drop_index('ix_exchange_inbox_org_registered', table_name='exchange_inbox')
    op.drop_index('ix_workflow_assignments_org_stats', table_name='workflow_assignments')
    op.drop_index('ix_documents_org_registered_at', table_name='documents')
    op.drop_table('workflow_reminders')
