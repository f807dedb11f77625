"""Users moved in by the pool's UserMigration function, the first time they sign in or ask for a password
reset (AWS "Importing users with a user migration Lambda
trigger").

The function runs outside any transaction; the user it describes is validated against the pool's schema and
created in one write, with its aliases claimed (moved from another user with ``forceAliasCreation``). A
sign-in's user keeps the password typed (hashed and SRP-enrolled here, not held to the pool's password
policy, as AWS documents), so that it signs in without the function from then on; a user migrated by
ForgotPassword has no password yet and is RESET_REQUIRED until it sets one with the code.

The groups an answer names (``userpool:groups``, this server's member for a user moving in from another user
pool) are joined in the same write, those the pool has; a name the pool has no group of is skipped, as the
groups are the pool's configuration, made by its operator (CreateGroup), never by a sign-in.

A function that raises, times out or answers garbage fails the call with the trigger's error and nothing is
created. Cognito's welcome message is not sent: the only invitation this server knows carries a temporary
password, which a migrated user does not have (``messageAction`` and ``desiredDeliveryMediums`` are
validated and otherwise without effect).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from userpool.context import Ctx
from userpool.errors import InvalidParameterException
from userpool.model.attributes import username_attribute
from userpool.model.pool_mfa import EMAIL, SMS
from userpool.model.records import Client, Pool, User
from userpool.model.user_mfa import with_factors
from userpool.model.vocabulary import UserStatus
from userpool.services.lookup.records import find_user
from userpool.services.users.admin_attributes import claim_aliases, conflict_error
from userpool.services.users.steps.credentials import new_password, with_password
from userpool.services.users.steps.new_users import new_user
from userpool.store.base import Conflict, Tx
from userpool.triggers.lambda_config import Trigger, configured
from userpool.triggers.sources import Source
from userpool.triggers.user_migration import Migration, user_migration


def migrates_users(pool: Pool) -> bool:
    """Whether the pool has a UserMigration function to ask about names no user has."""
    return configured(pool, Trigger.USER_MIGRATION)


def _internal_name(pool: Pool, typed: str) -> tuple[str | None, bool]:
    """(attribute the typed name is, whether a user could be created with it): in a pool whose usernames
    are emails or phone numbers the name typed is that attribute; a name the pool's rules refuse names no
    one."""
    try:
        return username_attribute(pool, typed), True
    except InvalidParameterException:
        return None, False


def _migrated_user(
    ctx: Ctx, pool: Pool, typed: str, kind: str | None, migration: Migration, status: UserStatus
) -> User:
    factors = [f for f, on in ((SMS, migration.enable_sms_mfa), (EMAIL, migration.enable_email_mfa)) if on]
    mfa = with_factors({}, factors, migration.preferred_mfa) if factors else {}
    return new_user(pool, typed, kind, migration.attributes, status, ctx.now, mfa=mfa)


def _join_groups(tx: Tx, pool: Pool, user: User, names: tuple[str, ...]) -> None:
    # At most 100 names (triggers/user_migration.py), as many groups as a user may be in.
    for name in names:
        if tx.groups.get(pool.id, name) is not None:
            tx.groups.add_member(pool.id, name, user.sub)


def _add(ctx: Ctx, pool: Pool, typed: str, user: User, migration: Migration) -> User:
    """Store the migrated user, in the groups it names; the user a concurrent call migrated (or created)
    first, if there is one."""
    with ctx.store.write() as tx:
        existing = find_user(tx, pool, typed) or tx.users.get_by_username(pool.id, user.username_norm)
        if existing is not None:
            return existing
        claim_aliases(tx, pool, user, force=migration.force_alias_creation, now=ctx.now, creating=True)
        try:
            tx.users.add(user)
        except Conflict as conflict:
            raise conflict_error(pool, conflict, user, creating=True) from None
        _join_groups(tx, pool, user, migration.groups)
    return user


def _migrate(
    ctx: Ctx,
    pool: Pool,
    client: Client,
    typed: str,
    source: Source,
    *,
    password: str | None,
    validation_data: Mapping[str, Any] | None,
    client_metadata: Mapping[str, Any] | None,
    acceptable: Callable[[User], bool] = lambda user: True,
) -> User | None:
    # PostgreSQL cannot store text holding NUL, and no directory has such a name.
    if not typed or "\x00" in typed or not migrates_users(pool):
        return None
    kind, possible = _internal_name(pool, typed)
    if not possible:
        return None
    migration = user_migration(
        ctx.triggers,
        pool,
        typed,
        source,
        client_id=client.id,
        password=password,
        validation_data=validation_data,
        client_metadata=client_metadata,
    )
    if migration is None:
        return None
    # Without a password the user can only set one, with the reset code ForgotPassword sends.
    status = migration.final_status if password is not None else UserStatus.RESET_REQUIRED
    user = _migrated_user(ctx, pool, typed, kind, migration, status)
    if not acceptable(user):
        return None
    if password is not None:
        user = with_password(user, new_password(ctx, user, password))
    return _add(ctx, pool, typed, user, migration)


def migrate_on_sign_in(
    ctx: Ctx, pool: Pool, client: Client, typed: str, password: str, client_metadata: Mapping[str, Any] | None
) -> User | None:
    """The user the pool's UserMigration function moves in for a password sign-in that named no user
    (UserMigration_Authentication), or None. InitiateAuth's ClientMetadata reaches it as ``validationData``."""
    return _migrate(
        ctx,
        pool,
        client,
        typed,
        Source.USER_MIGRATION_AUTHENTICATION,
        password=password,
        validation_data=client_metadata,
        client_metadata=None,
    )


def migrate_for_reset(
    ctx: Ctx,
    pool: Pool,
    client: Client,
    typed: str,
    client_metadata: Mapping[str, Any] | None,
    acceptable: Callable[[User], bool],
) -> User | None:
    """The user the pool's UserMigration function moves in for a ForgotPassword that named no user
    (UserMigration_ForgotPassword), RESET_REQUIRED; None when there is none, or when ``acceptable`` (which
    may raise) refuses it, e.g. for having nowhere to receive the code."""
    return _migrate(
        ctx,
        pool,
        client,
        typed,
        Source.USER_MIGRATION_FORGOT_PASSWORD,
        password=None,
        validation_data=None,
        client_metadata=client_metadata,
        acceptable=acceptable,
    )
