"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin_keys",
        sa.Column("access_key_id", sa.String(length=128), nullable=False),
        sa.Column("secret_sealed", sa.Text(), nullable=False),
        sa.Column("description", sa.String(length=256), nullable=True),
        sa.Column("created_at", sa.Float(precision=53), nullable=False),
        sa.PrimaryKeyConstraint("access_key_id", name=op.f("pk_admin_keys")),
    )
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pool_id", sa.String(length=55), nullable=True),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("destination", sa.String(length=2048), nullable=False),
        sa.Column("subject", sa.String(length=2048), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.Float(precision=53), nullable=False),
        sa.Column("next_attempt_at", sa.Float(precision=53), nullable=False),
        sa.Column("sent_at", sa.Float(precision=53), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_status_next_attempt_at"), ["status", "next_attempt_at"], unique=False
        )

    op.create_table(
        "pools",
        sa.Column("id", sa.String(length=55), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Float(precision=53), nullable=False),
        sa.Column("updated_at", sa.Float(precision=53), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pools")),
    )
    op.create_table(
        "clients",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("secret_sealed", sa.Text(), nullable=True),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Float(precision=53), nullable=False),
        sa.Column("updated_at", sa.Float(precision=53), nullable=False),
        sa.ForeignKeyConstraint(["pool_id"], ["pools.id"], name=op.f("fk_clients_pool_id_pools"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients")),
    )
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clients_pool_id_id"), ["pool_id", "id"], unique=False)

    op.create_table(
        "domains",
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Float(precision=53), nullable=False),
        sa.Column("updated_at", sa.Float(precision=53), nullable=False),
        sa.ForeignKeyConstraint(["pool_id"], ["pools.id"], name=op.f("fk_domains_pool_id_pools"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("domain", name=op.f("pk_domains")),
    )
    with op.batch_alter_table("domains", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_domains_pool_id"), ["pool_id"], unique=False)

    op.create_table(
        "groups",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column(
            "name",
            sa.String(length=128).with_variant(sa.String(length=128, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("description", sa.String(length=2048), nullable=True),
        sa.Column("role_arn", sa.String(length=2048), nullable=True),
        sa.Column("precedence", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.Float(precision=53), nullable=False),
        sa.Column("updated_at", sa.Float(precision=53), nullable=False),
        sa.ForeignKeyConstraint(["pool_id"], ["pools.id"], name=op.f("fk_groups_pool_id_pools"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pool_id", "name", name=op.f("pk_groups")),
    )
    op.create_table(
        "resource_servers",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column(
            "identifier",
            sa.String(length=256).with_variant(sa.String(length=256, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Float(precision=53), nullable=False),
        sa.Column("updated_at", sa.Float(precision=53), nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id"], ["pools.id"], name=op.f("fk_resource_servers_pool_id_pools"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pool_id", "identifier", name=op.f("pk_resource_servers")),
    )
    op.create_table(
        "users",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("sub", sa.String(length=36), nullable=False),
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.Column(
            "username_norm",
            sa.String(length=512).with_variant(sa.String(length=512, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("password_expires_at", sa.Float(precision=53), nullable=True),
        sa.Column("mfa", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Float(precision=53), nullable=False),
        sa.Column("updated_at", sa.Float(precision=53), nullable=False),
        sa.ForeignKeyConstraint(["pool_id"], ["pools.id"], name=op.f("fk_users_pool_id_pools"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pool_id", "sub", name=op.f("pk_users")),
        sa.UniqueConstraint("pool_id", "username_norm", name=op.f("uq_users_pool_id_username_norm")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_users_pool_id_enabled_username_norm"), ["pool_id", "enabled", "username_norm"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_users_pool_id_status_username_norm"), ["pool_id", "status", "username_norm"], unique=False
        )

    op.create_table(
        "group_members",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column(
            "group_name",
            sa.String(length=128).with_variant(sa.String(length=128, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("sub", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id", "group_name"],
            ["groups.pool_id", "groups.name"],
            name="fk_group_members_group",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pool_id", "sub"], ["users.pool_id", "users.sub"], name="fk_group_members_user", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pool_id", "group_name", "sub", name=op.f("pk_group_members")),
    )
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_group_members_pool_id_sub_group_name"), ["pool_id", "sub", "group_name"], unique=False
        )

    op.create_table(
        "user_aliases",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column(
            "alias",
            sa.String(length=600).with_variant(sa.String(length=600, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("sub", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id", "sub"], ["users.pool_id", "users.sub"], name="fk_user_aliases_user", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pool_id", "alias", name=op.f("pk_user_aliases")),
    )
    with op.batch_alter_table("user_aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_aliases_pool_id_sub"), ["pool_id", "sub"], unique=False)

    op.create_table(
        "user_attributes",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("sub", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=2048), nullable=False),
        sa.Column(
            "value_prefix",
            sa.String(length=256).with_variant(sa.String(length=256, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["pool_id", "sub"], ["users.pool_id", "users.sub"], name="fk_user_attributes_user", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pool_id", "sub", "name", name=op.f("pk_user_attributes")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("user_attributes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_attributes_pool_id_name_value_prefix_sub"),
            ["pool_id", "name", "value_prefix", "sub"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("user_attributes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_attributes_pool_id_name_value_prefix_sub"))

    op.drop_table("user_attributes")
    with op.batch_alter_table("user_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_aliases_pool_id_sub"))

    op.drop_table("user_aliases")
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_members_pool_id_sub_group_name"))

    op.drop_table("group_members")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_pool_id_status_username_norm"))
        batch_op.drop_index(batch_op.f("ix_users_pool_id_enabled_username_norm"))

    op.drop_table("users")
    op.drop_table("resource_servers")
    op.drop_table("groups")
    with op.batch_alter_table("domains", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_domains_pool_id"))

    op.drop_table("domains")
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clients_pool_id_id"))

    op.drop_table("clients")
    op.drop_table("pools")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_messages_status_next_attempt_at"))

    op.drop_table("outbox_messages")
    op.drop_table("admin_keys")
