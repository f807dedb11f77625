"""The schema's tables of user import jobs: the jobs of each pool, and the lines of their files that were
skipped or failed, with why. tables.py imports them, so its metadata holds the whole schema."""

from __future__ import annotations

import sqlalchemy as sa

from userpool.store.sql.columns import EPOCH_SECONDS as _time
from userpool.store.sql.columns import metadata

# CreateUserImportJob's jobs (model/import_jobs.py); listed newest first per pool (the index), claimed by the
# workers by status. ``file_offset`` and ``line`` say how far the import has come, committed with each batch of
# users; ``worker`` and ``lease_until`` are the claim of the worker importing it.
user_import_jobs = sa.Table(
    "user_import_jobs",
    metadata,
    sa.Column("job_id", sa.String(55), primary_key=True),
    sa.Column("pool_id", sa.String(55), sa.ForeignKey("pools.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("role_arn", sa.String(2048), nullable=False),
    sa.Column("hash_algorithm", sa.String(16), nullable=True),
    sa.Column("created_at", _time, nullable=False),
    sa.Column("started_at", _time, nullable=True),
    sa.Column("completed_at", _time, nullable=True),
    sa.Column("imported", sa.BigInteger, nullable=False),
    sa.Column("skipped", sa.BigInteger, nullable=False),
    sa.Column("failed", sa.BigInteger, nullable=False),
    sa.Column("completion_message", sa.String(256), nullable=True),
    sa.Column("file_bytes", sa.BigInteger, nullable=True),
    sa.Column("file_rows", sa.BigInteger, nullable=True),
    sa.Column("file_offset", sa.BigInteger, nullable=False),
    sa.Column("line", sa.BigInteger, nullable=False),
    sa.Column("worker", sa.String(64), nullable=True),
    sa.Column("lease_until", _time, nullable=True),
    sa.Index(None, "pool_id", "created_at", "job_id"),
    sa.Index(None, "status"),
)

# The lines of a job's file that were skipped or failed (a line imported leaves nothing here), by line number.
user_import_results = sa.Table(
    "user_import_results",
    metadata,
    sa.Column("job_id", sa.String(55), sa.ForeignKey("user_import_jobs.job_id", ondelete="CASCADE"), primary_key=True),
    sa.Column("line", sa.BigInteger, primary_key=True),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("reason", sa.String(1024), nullable=False),
)
