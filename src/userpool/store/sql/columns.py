"""What every table of the schema shares: the metadata with its naming convention, and the column types
whose rules hold across tables (tables.py says why text is compared byte-wise)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def byte_text(length: int | None = None) -> sa.types.TypeEngine[str]:
    """Text compared byte-wise on every database."""
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


JSON = sa.JSON()
EPOCH_SECONDS = sa.Float(precision=53)
