"""ListUsers: page through a pool's users, optionally filtered on one attribute (AWS: ListUsers API reference).

Every filter is answered by an index of the store (username, status, enabled, or the attribute index), and
pages are keyset-paged, so a page costs the same in a pool of a thousand users as in one of a million.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from userpool.context import Ctx
from userpool.errors import InvalidParameterException
from userpool.model.filters import format_filter, parse_filter, select
from userpool.model.paging import page_limit
from userpool.model.records import Page, Pool, User, UserQuery
from userpool.model.schema import STANDARD_NAMES, definitions
from userpool.model.usernames import normalise
from userpool.services.lookup.records import pool_or_404
from userpool.services.users.steps.user_wire import user_type


def _attributes_to_get(pool: Pool, names: list[str] | None) -> list[str] | None:
    """The attributes to return; Cognito refuses names the pool's schema does not define."""
    if names is None:
        return None
    known = STANDARD_NAMES | definitions(pool).keys()
    if any(n not in known for n in names):
        raise InvalidParameterException("One or more requested attributes do not exist.")
    return names


def _pool_query(pool: Pool, query: UserQuery | None) -> UserQuery | None:
    """The query in the pool's stored form: usernames of case-insensitive pools are stored folded."""
    if query is not None and query.attribute == "username":
        return replace(query, value=normalise(pool, query.value))
    return query


def list_users(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        query = _pool_query(pool, parse_filter(req.get("Filter") or ""))
        names = _attributes_to_get(pool, req.get("AttributesToGet"))
        # A token only continues the listing that issued it: same pool, same filter.
        scope = f"ListUsers\n{pool.id}\n{format_filter(query)}"
        after = ctx.deps.page_tokens.decode(req.get("PaginationToken"), scope)
        selection = select(query)
        page: Page[User] = (
            Page([])
            if selection.nobody
            else tx.users.list(pool.id, selection.query, page_limit(req.get("Limit")), after)
        )
    body: dict[str, Any] = {"Users": [user_type(u, names) for u in page.items]}
    token = ctx.deps.page_tokens.encode(page.next_cursor, scope)
    if token is not None:
        body["PaginationToken"] = token
    return body
