"""``/authEventFeedback``: the one-click links of a threat protection notice mail
(services/threat_protection/steps/notifications.py writes them). Opening one sends the user's feedback on the
sign-in it reports, Valid or Invalid, as UpdateAuthEventFeedback does with the link's FeedbackToken, and shows
a page saying so (Cognito developer guide: 'Message templates', ``{one-click-link-valid}`` and
``{one-click-link-invalid}``).

The link names the pool, the user, the event, the feedback token and the value, and nothing else. On a pool's
domain the pool must be that one. A link that is wrong in any way records nothing and says so, in the same
words whatever is wrong.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from userpool.context import Deps
from userpool.errors import CognitoError
from userpool.services.hosted import pages
from userpool.services.hosted.oauth_clients import domain_pool
from userpool.web.login import i18n
from userpool.web.login.journey import error_page, make_ctx, message_page

# Each parameter once, with the model's pattern for its member of UpdateAuthEventFeedbackRequest.
_PARAMETERS = {
    "user_pool_id": re.compile(r"[\w-]+_[0-9a-zA-Z]+"),
    "username": re.compile(r"[^\x00-\x1f\x7f]{1,128}"),
    "event_id": re.compile(r"[\w+-]{1,50}"),
    "feedback_token": re.compile(r"[A-Za-z0-9\-_=.]{1,2048}"),
    "feedback_value": re.compile(r"Valid|Invalid"),
}


def _link(request: Request) -> dict[str, str] | None:
    found: dict[str, str] = {}
    for name, pattern in _PARAMETERS.items():
        given = request.query_params.getlist(name)
        if len(given) != 1 or not pattern.fullmatch(given[0]) or len(given[0]) > 2048:
            return None
        found[name] = given[0]
    return found


def make_event_feedback(deps: Deps) -> Any:
    async def event_feedback(request: Request) -> Response:
        lang = i18n.language(request.query_params.get("lang"))
        link = _link(request)
        if link is None:
            return error_page(deps, request, "invalid_request")
        ctx = make_ctx(deps, request)
        domain = await run_in_threadpool(domain_pool, ctx, request.headers.get("host", ""))
        if domain is not None and domain != link["user_pool_id"]:
            return error_page(deps, request, "invalid_request")
        try:
            await run_in_threadpool(
                pages.auth_event_feedback,
                ctx,
                link["user_pool_id"],
                link["username"],
                link["event_id"],
                link["feedback_token"],
                link["feedback_value"],
            )
        except CognitoError as err:
            text = i18n.service_message(lang, err.message)
            return message_page(request, lang, "event_feedback.title", text, 400)
        done = i18n.translator(lang)("event_feedback.done")
        return message_page(request, lang, "event_feedback.title", done, 200)

    return event_feedback
