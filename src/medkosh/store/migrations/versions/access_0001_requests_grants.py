"""access: dataset access policy, committees, DUAs and signatures, requests, reviews, grants

Revision ID: access_0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from medkosh.store.base import UTCDateTime

revision = "access_0001"
down_revision = None
branch_labels = ("access",)
depends_on = ("identity_0001",)


def upgrade() -> None:
    op.create_table('access_dataset_policy',
    sa.Column('dataset_id', sa.String(length=64), nullable=False),
    sa.Column('quorum', sa.Integer(), nullable=False),
    sa.Column('required_trainings', sa.Text(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('dataset_id', name=op.f('pk_access_dataset_policy'))
    )
    op.create_table('access_dua',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('dataset_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_dua')),
    sa.UniqueConstraint('dataset_id', 'version', name='uq_access_dua_dataset_version')
    )
    op.create_index(op.f('ix_access_dua_dataset_id'), 'access_dua', ['dataset_id'], unique=False)
    op.create_table('access_committee_member',
    sa.Column('dataset_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['identity_user.id'], name=op.f('fk_access_committee_member_user_id_identity_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dataset_id', 'user_id', name=op.f('pk_access_committee_member'))
    )
    op.create_table('access_dua_signature',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.String(length=40), nullable=False),
    sa.Column('dua_id', sa.String(length=40), nullable=False),
    sa.Column('dataset_id', sa.String(length=64), nullable=False),
    sa.Column('dua_sha256', sa.String(length=64), nullable=False),
    sa.Column('typed_name', sa.String(length=200), nullable=False),
    sa.Column('signed_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['dua_id'], ['access_dua.id'], name=op.f('fk_access_dua_signature_dua_id_access_dua')),
    sa.ForeignKeyConstraint(['user_id'], ['identity_user.id'], name=op.f('fk_access_dua_signature_user_id_identity_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_dua_signature')),
    sa.UniqueConstraint('user_id', 'dua_id', name='uq_access_dua_signature_user_dua')
    )
    op.create_index(op.f('ix_access_dua_signature_dataset_id'), 'access_dua_signature', ['dataset_id'], unique=False)
    op.create_index(op.f('ix_access_dua_signature_user_id'), 'access_dua_signature', ['user_id'], unique=False)
    op.create_table('access_request',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('applicant_id', sa.String(length=40), nullable=False),
    sa.Column('institution_id', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('lay_summary', sa.Text(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('duration_days', sa.Integer(), nullable=False),
    sa.Column('ethics_committee', sa.String(length=300), nullable=False),
    sa.Column('ethics_approval_number', sa.String(length=120), nullable=False),
    sa.Column('ethics_document_sha256', sa.String(length=64), nullable=True),
    sa.Column('ethics_document_name', sa.String(length=255), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('conditions', sa.Text(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('submitted_at', UTCDateTime(), nullable=True),
    sa.Column('decided_at', UTCDateTime(), nullable=True),
    sa.Column('expires_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['applicant_id'], ['identity_user.id'], name=op.f('fk_access_request_applicant_id_identity_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_request'))
    )
    op.create_index(op.f('ix_access_request_applicant_id'), 'access_request', ['applicant_id'], unique=False)
    op.create_index(op.f('ix_access_request_state'), 'access_request', ['state'], unique=False)
    op.create_table('access_comment',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('request_id', sa.String(length=40), nullable=False),
    sa.Column('author_id', sa.String(length=40), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['identity_user.id'], name=op.f('fk_access_comment_author_id_identity_user')),
    sa.ForeignKeyConstraint(['request_id'], ['access_request.id'], name=op.f('fk_access_comment_request_id_access_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_comment'))
    )
    op.create_index(op.f('ix_access_comment_request_id'), 'access_comment', ['request_id'], unique=False)
    op.create_table('access_grant',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('request_id', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.String(length=40), nullable=False),
    sa.Column('dataset_id', sa.String(length=64), nullable=False),
    sa.Column('dataset_version_id', sa.String(length=64), nullable=False),
    sa.Column('tier', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('activated_at', UTCDateTime(), nullable=True),
    sa.Column('expires_at', UTCDateTime(), nullable=False),
    sa.Column('ended_at', UTCDateTime(), nullable=True),
    sa.Column('end_reason', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['access_request.id'], name=op.f('fk_access_grant_request_id_access_request')),
    sa.ForeignKeyConstraint(['user_id'], ['identity_user.id'], name=op.f('fk_access_grant_user_id_identity_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_grant'))
    )
    op.create_index(op.f('ix_access_grant_dataset_id'), 'access_grant', ['dataset_id'], unique=False)
    op.create_index(op.f('ix_access_grant_dataset_version_id'), 'access_grant', ['dataset_version_id'], unique=False)
    op.create_index(op.f('ix_access_grant_request_id'), 'access_grant', ['request_id'], unique=False)
    op.create_index(op.f('ix_access_grant_user_id'), 'access_grant', ['user_id'], unique=False)
    op.create_table('access_request_dataset',
    sa.Column('request_id', sa.String(length=40), nullable=False),
    sa.Column('dataset_version_id', sa.String(length=64), nullable=False),
    sa.Column('dataset_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['access_request.id'], name=op.f('fk_access_request_dataset_request_id_access_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', 'dataset_version_id', name=op.f('pk_access_request_dataset'))
    )
    op.create_index(op.f('ix_access_request_dataset_dataset_id'), 'access_request_dataset', ['dataset_id'], unique=False)
    op.create_table('access_request_member',
    sa.Column('request_id', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['access_request.id'], name=op.f('fk_access_request_member_request_id_access_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['identity_user.id'], name=op.f('fk_access_request_member_user_id_identity_user')),
    sa.PrimaryKeyConstraint('request_id', 'user_id', name=op.f('pk_access_request_member'))
    )
    op.create_table('access_review',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('request_id', sa.String(length=40), nullable=False),
    sa.Column('reviewer_id', sa.String(length=40), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('conditions', sa.Text(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['access_request.id'], name=op.f('fk_access_review_request_id_access_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['identity_user.id'], name=op.f('fk_access_review_reviewer_id_identity_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_review')),
    sa.UniqueConstraint('request_id', 'reviewer_id', name='uq_access_review_request_reviewer')
    )
    op.create_index(op.f('ix_access_review_request_id'), 'access_review', ['request_id'], unique=False)


def downgrade() -> None:
    op.drop_table('access_review')
    op.drop_table('access_request_member')
    op.drop_table('access_request_dataset')
    op.drop_table('access_grant')
    op.drop_table('access_comment')
    op.drop_table('access_request')
    op.drop_table('access_dua_signature')
    op.drop_table('access_committee_member')
    op.drop_table('access_dua')
    op.drop_table('access_dataset_policy')
