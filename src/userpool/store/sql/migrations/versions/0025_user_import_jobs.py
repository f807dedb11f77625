"""user_import_jobs and user_import_results: CreateUserImportJob's jobs and the skipped and failed lines of
their files

Revision ID: 0025_user_import_jobs
Revises: 0024_user_sessions
Create Date: 2026-12-14
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025_user_import_jobs"
down_revision = "0024_user_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_import_jobs",
        sa.Column("job_id", sa.String(55), nullable=False),
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("role_arn", sa.String(2048), nullable=False),
        sa.Column("hash_algorithm", sa.String(16), nullable=True),
        sa.Column("created_at", sa.Float(precision=53), nullable=False),
        sa.Column("started_at", sa.Float(precision=53), nullable=True),
        sa.Column("completed_at", sa.Float(precision=53), nullable=True),
        sa.Column("imported", sa.BigInteger(), nullable=False),
        sa.Column("skipped", sa.BigInteger(), nullable=False),
        sa.Column("failed", sa.BigInteger(), nullable=False),
        sa.Column("completion_message", sa.String(256), nullable=True),
        sa.Column("file_bytes", sa.BigInteger(), nullable=True),
        sa.Column("file_rows", sa.BigInteger(), nullable=True),
        sa.Column("file_offset", sa.BigInteger(), nullable=False),
        sa.Column("line", sa.BigInteger(), nullable=False),
        sa.Column("worker", sa.String(64), nullable=True),
        sa.Column("lease_until", sa.Float(precision=53), nullable=True),
        sa.ForeignKeyConstraint(
            ["pool_id"], ["pools.id"], ondelete="CASCADE", name="fk_user_import_jobs_pool_id_pools"
        ),
        sa.PrimaryKeyConstraint("job_id", name="pk_user_import_jobs"),
    )
    op.create_index(
        "ix_user_import_jobs_pool_id_created_at_job_id", "user_import_jobs", ["pool_id", "created_at", "job_id"]
    )
    op.create_index("ix_user_import_jobs_status", "user_import_jobs", ["status"])
    op.create_table(
        "user_import_results",
        sa.Column("job_id", sa.String(55), nullable=False),
        sa.Column("line", sa.BigInteger(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(1024), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["user_import_jobs.job_id"],
            ondelete="CASCADE",
            name="fk_user_import_results_job_id_user_import_jobs",
        ),
        sa.PrimaryKeyConstraint("job_id", "line", name="pk_user_import_results"),
    )


def downgrade() -> None:
    op.drop_table("user_import_results")
    op.drop_index("ix_user_import_jobs_status", table_name="user_import_jobs")
    op.drop_index("ix_user_import_jobs_pool_id_created_at_job_id", table_name="user_import_jobs")
    op.drop_table("user_import_jobs")
