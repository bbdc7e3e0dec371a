"""exchange inbox: requests about an earlier document (update, replacement, take-back) linked to it

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exchange_inbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_key', sa.String(length=64), server_default='', nullable=False))
        batch_op.add_column(sa.Column('request', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('related_inbox_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_exchange_inbox_related_inbox_id_exchange_inbox'), 'exchange_inbox',
                                    ['related_inbox_id'], ['id'])
        batch_op.drop_constraint('uq_exchange_inbox_organization_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_exchange_inbox_organization_id'),
                                          ['organization_id', 'edxml_document_id', 'message_key'])


def downgrade():
    with op.batch_alter_table('exchange_inbox', schema=None) as batch_op:
        batch_op.drop_constraint('uq_exchange_inbox_organization_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_exchange_inbox_organization_id'),
                                          ['organization_id', 'edxml_document_id'])
        batch_op.drop_constraint(batch_op.f('fk_exchange_inbox_related_inbox_id_exchange_inbox'), type_='foreignkey')
        batch_op.drop_column('related_inbox_id')
        batch_op.drop_column('request')
        batch_op.drop_column('message_key')
