"""A user's event history on the user page: threat protection's record of the user's sign-ins, sign-ups and
password changes, newest first, a page at a time (AdminListUserAuthEvents; Cognito developer guide: 'Viewing
and exporting user event history'). The operator's feedback on an event is sent from the user page
(user_pages.event_feedback)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from userpool.errors import UserPoolAddOnNotEnabledException
from userpool.web.console.frame import Page

PAGE_SIZE = 20
# The query parameter that carries AdminListUserAuthEvents' NextToken.
PAGE_ARG = "events"
FEEDBACK_VALUES = ("Valid", "Invalid")


@dataclass
class EventHistory:
    """What the user page shows of the history: ``off`` while the pool's threat protection is."""

    off: bool = False
    events: list[dict[str, Any]] = field(default_factory=list)
    next_token: str | None = None
    paged: bool = False


async def event_history(page: Page, pool_id: str, username: str) -> EventHistory:
    """The page of the user's events the URL asks for (the newest without ``events=``)."""
    token = page.arg(PAGE_ARG, 4096)
    request = {"UserPoolId": pool_id, "Username": username, "MaxResults": PAGE_SIZE, "NextToken": token or None}
    try:
        found = await page.fetch("AdminListUserAuthEvents", request)
    except UserPoolAddOnNotEnabledException:
        return EventHistory(off=True)
    return EventHistory(events=list(found.get("AuthEvents", [])), next_token=found.get("NextToken"), paged=bool(token))
