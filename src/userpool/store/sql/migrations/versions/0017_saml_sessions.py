"""hosted_sessions: the SAML sign-in a session came from (provider, NameID, SessionIndex), for single logout

Revision ID: 0017_saml_sessions
Revises: 0016_saml
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_saml_sessions"
down_revision = "0016_saml"
branch_labels = None
depends_on = None


def _text(length: int) -> sa.types.TypeEngine[str]:
    return sa.String(length=length).with_variant(sa.String(length=length, collation="C"), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("hosted_sessions") as batch:
        batch.add_column(sa.Column("saml_provider", _text(32), nullable=True))
        batch.add_column(sa.Column("saml_name_id", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("saml_session_index", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("hosted_sessions") as batch:
        batch.drop_column("saml_session_index")
        batch.drop_column("saml_name_id")
        batch.drop_column("saml_provider")
