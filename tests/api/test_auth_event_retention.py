"""The user event history keeps events for auth_event_retention_days (Cognito keeps two years; Cognito
developer guide: 'Viewing user event history'): older ones are deleted as new ones are recorded."""

from __future__ import annotations

from tests.conftest import Server
from tests.support.auth import make_client, make_user, sign_in
from userpool.clock import FixedClock

DAY = 86_400.0


def test_admin_list_user_auth_events__older_than_the_retention_deleted(clocked: Server, clock: FixedClock) -> None:
    idp = clocked.client()
    assert clocked.settings.auth_event_retention_days == 730
    pool_id = idp.create_user_pool(PoolName="kept", UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"})["UserPool"]["Id"]
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    sign_in(idp, client, "ann")
    clock.advance(729 * DAY)
    sign_in(idp, client, "ann")
    assert len(idp.admin_list_user_auth_events(UserPoolId=pool_id, Username="ann")["AuthEvents"]) == 2
    clock.advance(2 * DAY)
    sign_in(idp, client, "ann")
    events = idp.admin_list_user_auth_events(UserPoolId=pool_id, Username="ann")["AuthEvents"]
    assert len(events) == 2
    assert min(e["CreationDate"].timestamp() for e in events) > clock.now() - 730 * DAY
