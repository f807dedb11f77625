"""join the one-time-codes and tokens revisions into one line of history

Revision ID: 0003
Revises: 0002_codes, 0002_tokens
Create Date: 2026-11-26
"""

from __future__ import annotations

revision = "0003"
down_revision = ("0002_codes", "0002_tokens")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
