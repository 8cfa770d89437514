"""identity: institutions, users, roles, trainings, API tokens, login sessions

Revision ID: identity_0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from medkosh.store.base import UTCDateTime

revision = "identity_0001"
down_revision = None
branch_labels = ("identity",)
depends_on = None


def upgrade() -> None:
    op.create_table('identity_institution',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('oidc_issuer', sa.String(length=300), nullable=True),
    sa.Column('oidc_client_id', sa.String(length=200), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_institution')),
    sa.UniqueConstraint('name', name=op.f('uq_identity_institution_name'))
    )
    op.create_table('identity_user',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('institution_id', sa.String(length=40), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('oidc_subject', sa.String(length=300), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('verification', sa.String(length=20), nullable=False),
    sa.Column('verified_at', UTCDateTime(), nullable=True),
    sa.Column('verified_by', sa.String(length=40), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['identity_institution.id'], name=op.f('fk_identity_user_institution_id_identity_institution')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_user')),
    sa.UniqueConstraint('email', name=op.f('uq_identity_user_email')),
    sa.UniqueConstraint('oidc_subject', name=op.f('uq_identity_user_oidc_subject'))
    )
    op.create_index(op.f('ix_identity_user_institution_id'), 'identity_user', ['institution_id'], unique=False)
    op.create_table('identity_api_token',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.Text(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('expires_at', UTCDateTime(), nullable=False),
    sa.Column('revoked_at', UTCDateTime(), nullable=True),
    sa.Column('last_used_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['identity_user.id'], name=op.f('fk_identity_api_token_user_id_identity_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_api_token'))
    )
    op.create_index(op.f('ix_identity_api_token_user_id'), 'identity_api_token', ['user_id'], unique=False)
    op.create_table('identity_session',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=40), nullable=False),
    sa.Column('via', sa.String(length=20), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('expires_at', UTCDateTime(), nullable=False),
    sa.Column('revoked_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['identity_user.id'], name=op.f('fk_identity_session_user_id_identity_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_session')),
    sa.UniqueConstraint('id_hash', name=op.f('uq_identity_session_id_hash'))
    )
    op.create_index(op.f('ix_identity_session_user_id'), 'identity_session', ['user_id'], unique=False)
    op.create_table('identity_training',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('expires_at', UTCDateTime(), nullable=False),
    sa.Column('recorded_by', sa.String(length=40), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['identity_user.id'], name=op.f('fk_identity_training_user_id_identity_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_training'))
    )
    op.create_index(op.f('ix_identity_training_user_id'), 'identity_training', ['user_id'], unique=False)
    op.create_table('identity_user_role',
    sa.Column('user_id', sa.String(length=40), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['identity_user.id'], name=op.f('fk_identity_user_role_user_id_identity_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_identity_user_role'))
    )


def downgrade() -> None:
    op.drop_table('identity_user_role')
    op.drop_table('identity_training')
    op.drop_table('identity_session')
    op.drop_table('identity_api_token')
    op.drop_table('identity_user')
    op.drop_table('identity_institution')
