"""workflow: outgoing drafts (versions, approvals, signatures), incoming processing (assignments, opinions), tasks

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 12:16:21.542848
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('workflow_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('main_handler', sa.String(length=64), nullable=True),
    sa.Column('handler_unit', sa.String(length=50), nullable=True),
    sa.Column('coordinators', sa.JSON(), nullable=False),
    sa.Column('for_information', sa.JSON(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('assigned_by', sa.String(length=64), nullable=True),
    sa.Column('consultations', sa.JSON(), nullable=False),
    sa.Column('forwards', sa.JSON(), nullable=False),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_workflow_assignments_document_id_documents')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_workflow_assignments_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workflow_assignments')),
    sa.UniqueConstraint('document_id', name=op.f('uq_workflow_assignments_document_id'))
    )
    with op.batch_alter_table('workflow_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workflow_assignments_main_handler'), ['main_handler'], unique=False)
        batch_op.create_index(batch_op.f('ix_workflow_assignments_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workflow_assignments_state'), ['state'], unique=False)

    op.create_table('workflow_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('type_code', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=True),
    sa.Column('confidentiality', sa.String(length=16), nullable=True),
    sa.Column('drafter', sa.String(length=64), nullable=False),
    sa.Column('drafter_unit', sa.String(length=50), nullable=True),
    sa.Column('chain', sa.JSON(), nullable=False),
    sa.Column('signer_role', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('delegate', sa.String(length=64), nullable=True),
    sa.Column('comments', sa.JSON(), nullable=False),
    sa.Column('current_version_id', sa.Integer(), nullable=True),
    sa.Column('approved_hash', sa.String(length=64), nullable=True),
    sa.Column('signed_by', sa.String(length=64), nullable=True),
    sa.Column('signed_hash', sa.String(length=64), nullable=True),
    sa.Column('signed_file_id', sa.Integer(), nullable=True),
    sa.Column('number_and_symbol', sa.String(length=100), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_workflow_drafts_document_id_documents')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_workflow_drafts_organization_id_organizations')),
    sa.ForeignKeyConstraint(['signed_file_id'], ['stored_files.id'], name=op.f('fk_workflow_drafts_signed_file_id_stored_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workflow_drafts'))
    )
    with op.batch_alter_table('workflow_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workflow_drafts_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workflow_drafts_state'), ['state'], unique=False)

    op.create_table('workflow_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=50), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('assigner', sa.String(length=64), nullable=False),
    sa.Column('assignee', sa.String(length=64), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('comments', sa.JSON(), nullable=False),
    sa.Column('extensions', sa.JSON(), nullable=False),
    sa.Column('finished_on', sa.Date(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_workflow_tasks_document_id_documents')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_workflow_tasks_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workflow_tasks'))
    )
    with op.batch_alter_table('workflow_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workflow_tasks_assignee'), ['assignee'], unique=False)
        batch_op.create_index(batch_op.f('ix_workflow_tasks_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workflow_tasks_state'), ['state'], unique=False)

    op.create_table('workflow_draft_approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('user', sa.String(length=64), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('comments', sa.Text(), nullable=True),
    sa.Column('current', sa.Boolean(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['workflow_drafts.id'], name=op.f('fk_workflow_draft_approvals_draft_id_workflow_drafts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workflow_draft_approvals'))
    )
    with op.batch_alter_table('workflow_draft_approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workflow_draft_approvals_draft_id'), ['draft_id'], unique=False)

    op.create_table('workflow_draft_signatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('signed_by', sa.String(length=64), nullable=False),
    sa.Column('signer_name', sa.String(length=255), nullable=False),
    sa.Column('certificate_subject', sa.String(length=500), nullable=True),
    sa.Column('certificate_serial', sa.String(length=80), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['workflow_drafts.id'], name=op.f('fk_workflow_draft_signatures_draft_id_workflow_drafts')),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_workflow_draft_signatures_file_id_stored_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workflow_draft_signatures'))
    )
    with op.batch_alter_table('workflow_draft_signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workflow_draft_signatures_draft_id'), ['draft_id'], unique=False)

    op.create_table('workflow_draft_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['workflow_drafts.id'], name=op.f('fk_workflow_draft_versions_draft_id_workflow_drafts')),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_workflow_draft_versions_file_id_stored_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workflow_draft_versions')),
    sa.UniqueConstraint('draft_id', 'number', name=op.f('uq_workflow_draft_versions_draft_id'))
    )
    with op.batch_alter_table('workflow_draft_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workflow_draft_versions_draft_id'), ['draft_id'], unique=False)

    op.create_table('workflow_opinions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('user', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['workflow_assignments.id'], name=op.f('fk_workflow_opinions_assignment_id_workflow_assignments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workflow_opinions'))
    )
    with op.batch_alter_table('workflow_opinions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workflow_opinions_assignment_id'), ['assignment_id'], unique=False)

    op.create_table('workflow_task_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('user', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['workflow_tasks.id'], name=op.f('fk_workflow_task_reports_task_id_workflow_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workflow_task_reports'))
    )
    with op.batch_alter_table('workflow_task_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workflow_task_reports_task_id'), ['task_id'], unique=False)




def downgrade():

    with op.batch_alter_table('workflow_task_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workflow_task_reports_task_id'))

    op.drop_table('workflow_task_reports')
    with op.batch_alter_table('workflow_opinions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workflow_opinions_assignment_id'))

    op.drop_table('workflow_opinions')
    with op.batch_alter_table('workflow_draft_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workflow_draft_versions_draft_id'))

    op.drop_table('workflow_draft_versions')
    with op.batch_alter_table('workflow_draft_signatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workflow_draft_signatures_draft_id'))

    op.drop_table('workflow_draft_signatures')
    with op.batch_alter_table('workflow_draft_approvals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workflow_draft_approvals_draft_id'))

    op.drop_table('workflow_draft_approvals')
    with op.batch_alter_table('workflow_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workflow_tasks_state'))
        batch_op.drop_index(batch_op.f('ix_workflow_tasks_organization_id'))
        batch_op.drop_index(batch_op.f('ix_workflow_tasks_assignee'))

    op.drop_table('workflow_tasks')
    with op.batch_alter_table('workflow_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workflow_drafts_state'))
        batch_op.drop_index(batch_op.f('ix_workflow_drafts_organization_id'))

    op.drop_table('workflow_drafts')
    with op.batch_alter_table('workflow_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workflow_assignments_state'))
        batch_op.drop_index(batch_op.f('ix_workflow_assignments_organization_id'))
        batch_op.drop_index(batch_op.f('ix_workflow_assignments_main_handler'))

    op.drop_table('workflow_assignments')

