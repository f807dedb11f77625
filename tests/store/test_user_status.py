"""A user's status is stored as Cognito's literal and read back as a UserStatus, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

from tests.conftest import Server
from tests.support.users import add_user
from userpool.model.vocabulary import UserStatus


def test_users__status_stored_as_the_literal_and_read_back_as_the_enum(app_server: Server) -> None:
    idp = app_server.client()
    pool_id = str(idp.create_user_pool(PoolName="statuses")["UserPool"]["Id"])
    store = app_server.runtime.store
    user = add_user(store, pool_id, "ann")
    with store.write() as tx:
        tx.users.update(replace(user, status=UserStatus.FORCE_CHANGE_PASSWORD))
    with store.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT status FROM users").scalars().all()
    assert stored == ["FORCE_CHANGE_PASSWORD"]
    assert type(stored[0]) is str
    with store.read() as tx:
        found = tx.users.get_by_sub(pool_id, user.sub)
    assert found is not None
    assert found.status is UserStatus.FORCE_CHANGE_PASSWORD
