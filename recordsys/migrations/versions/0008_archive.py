"""fonds (phông lưu trữ) as a table with the ten fields of Circular 05/2025, open or closed, with
its successor; one open fonds per agency that has a fonds code

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'fonds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=20), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('history', sa.Text(), nullable=True),
        sa.Column('archives_time', sa.String(length=30), nullable=True),
        sa.Column('classification', sa.Text(), nullable=True),
        sa.Column('language', sa.JSON(), nullable=False),
        sa.Column('risk_recovery', sa.String(length=1), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('successor_id', sa.Integer(), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_by', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_fonds_organization_id_organizations')),
        sa.ForeignKeyConstraint(['successor_id'], ['fonds.id'], name=op.f('fk_fonds_successor_id_fonds')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fonds')),
        sa.UniqueConstraint('code', name=op.f('uq_fonds_code')),
        sa.UniqueConstraint('organization_id', name=op.f('uq_fonds_organization_id')),
    )
    op.execute(
        "INSERT INTO fonds (organization_id, code, name, status, language, risk_recovery, created_at) "
        "SELECT id, fonds_code, name, 'open', '[\"01\"]', '1', created_at FROM organizations "
        "WHERE fonds_code IS NOT NULL AND fonds_code <> ''"
    )


def downgrade():
    op.drop_table('fonds')
