"""The console's routes under ``/console``; every page but the sign-in page and the static files needs an
operator's session (frame.console_page)."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from userpool.context import Deps
from userpool.web.console import (
    auth_pages,
    client_pages,
    domain_pages,
    group_pages,
    identity_pool_pages,
    import_pages,
    log_delivery_pages,
    pool_pages,
    provider_pages,
    server_pages,
    threat_pages,
    user_actions,
    user_pages,
)
from userpool.web.console.frame import PREFIX, Handler, Invoke, console_page
from userpool.web.stylesheets import with_tokens

_STATIC = Path(__file__).parent / "static"
_ASSET_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=300"}
_GET, _BOTH = ["GET"], ["GET", "POST"]

# path under /console -> (page, methods)
PAGES: dict[str, tuple[Handler, list[str]]] = {
    "/": (pool_pages.pools, _GET),
    "/logout": (auth_pages.logout, ["POST"]),
    "/outbox": (server_pages.outbox, _GET),
    "/identity-pools": (identity_pool_pages.identity_pools, _GET),
    "/identity-pools/new": (identity_pool_pages.new_identity_pool, _BOTH),
    "/identity-pools/{identity_pool_id}": (identity_pool_pages.identity_pool, _GET),
    "/identity-pools/{identity_pool_id}/edit": (identity_pool_pages.edit_identity_pool, _BOTH),
    "/identity-pools/{identity_pool_id}/roles": (identity_pool_pages.identity_pool_roles, _BOTH),
    "/identity-pools/{identity_pool_id}/delete": (identity_pool_pages.delete_identity_pool, _BOTH),
    "/pools/new": (pool_pages.new_pool, _BOTH),
    "/pools/{pool_id}": (pool_pages.overview, _GET),
    "/pools/{pool_id}/edit": (pool_pages.edit_pool, _BOTH),
    "/pools/{pool_id}/delete": (pool_pages.delete_pool, _BOTH),
    "/pools/{pool_id}/clients": (client_pages.clients, _GET),
    "/pools/{pool_id}/clients/new": (client_pages.new_client, _BOTH),
    "/pools/{pool_id}/clients/{client_id}": (client_pages.client_detail, _GET),
    "/pools/{pool_id}/clients/{client_id}/edit": (client_pages.edit_client, _BOTH),
    "/pools/{pool_id}/clients/{client_id}/delete": (client_pages.delete_client, _BOTH),
    "/pools/{pool_id}/clients/{client_id}/secrets": (client_pages.add_secret, ["POST"]),
    "/pools/{pool_id}/clients/{client_id}/secrets/delete": (client_pages.delete_secret, _BOTH),
    "/pools/{pool_id}/domain": (domain_pages.domain, _BOTH),
    "/pools/{pool_id}/domain/delete": (domain_pages.delete_domain, _BOTH),
    "/pools/{pool_id}/branding": (domain_pages.branding, ["POST"]),
    "/pools/{pool_id}/users": (user_pages.users, _GET),
    "/pools/{pool_id}/users/new": (user_pages.new_user, _BOTH),
    # Usernames and group names may hold any punctuation, "/" too: they travel in the query string.
    "/pools/{pool_id}/user": (user_pages.user_detail, _GET),
    "/pools/{pool_id}/user/attributes": (user_pages.update_attributes, ["POST"]),
    "/pools/{pool_id}/user/mfa": (user_pages.mfa_preference, ["POST"]),
    "/pools/{pool_id}/user/groups": (user_pages.membership, ["POST"]),
    "/pools/{pool_id}/user/passkey": (user_actions.remove_passkey, _BOTH),
    "/pools/{pool_id}/user/session": (user_actions.revoke_session, _BOTH),
    "/pools/{pool_id}/session-tracking": (user_actions.session_tracking, ["POST"]),
    "/pools/{pool_id}/user/event-feedback": (user_pages.event_feedback, ["POST"]),
    "/pools/{pool_id}/user/{action}": (user_actions.user_action, _BOTH),
    "/pools/{pool_id}/groups": (group_pages.groups, _BOTH),
    "/pools/{pool_id}/group": (group_pages.group_detail, _GET),
    "/pools/{pool_id}/group/members": (group_pages.add_member, ["POST"]),
    "/pools/{pool_id}/group/delete": (group_pages.delete_group, _BOTH),
    "/pools/{pool_id}/providers": (provider_pages.providers, _GET),
    "/pools/{pool_id}/providers/new": (provider_pages.new_provider, _BOTH),
    # Provider names may hold "/" too: they travel in the query string.
    "/pools/{pool_id}/provider": (provider_pages.provider_detail, _GET),
    "/pools/{pool_id}/provider/edit": (provider_pages.edit_provider, _BOTH),
    "/pools/{pool_id}/provider/delete": (provider_pages.delete_provider, _BOTH),
    "/pools/{pool_id}/resource-servers": (server_pages.resource_servers, _BOTH),
    "/pools/{pool_id}/resource-servers/delete": (server_pages.delete_resource_server, _BOTH),
    "/pools/{pool_id}/triggers": (server_pages.triggers, _GET),
    "/pools/{pool_id}/keys": (server_pages.signing_keys, _BOTH),
    "/pools/{pool_id}/threat-protection": (threat_pages.threat_protection, _BOTH),
    "/pools/{pool_id}/log-delivery": (log_delivery_pages.log_delivery, _BOTH),
    "/pools/{pool_id}/import-jobs": (import_pages.import_jobs, _BOTH),
    "/pools/{pool_id}/import-jobs/template.csv": (import_pages.template, _GET),
    # Job ids travel in the query string, as usernames do.
    "/pools/{pool_id}/import-job": (import_pages.import_job, _GET),
    "/pools/{pool_id}/import-job/action": (import_pages.job_action, ["POST"]),
}
# A CSV file from the operator's browser: a form as large as the import file limit (body_limits.py streams it to
# python-multipart, which spools the file to disk).
UPLOAD_PATH = "/pools/{pool_id}/import-job/upload"


def upload_form_bytes(deps: Deps) -> int:
    return deps.settings.user_import_max_file_bytes + 64 * 1024


def _asset(name: str, media_type: str, body: bytes) -> Route:
    async def asset(_: Request) -> Response:
        return Response(body, headers=_ASSET_HEADERS, media_type=media_type)

    return Route(f"{PREFIX}/static/{name}", asset, methods=["GET"])


def routes(deps: Deps, invoke: Invoke) -> list[Route]:
    async def bare(_: Request) -> Response:
        return RedirectResponse(f"{PREFIX}/", 308)

    found = [
        Route(PREFIX, bare, methods=["GET"]),
        Route(f"{PREFIX}/login", auth_pages.make_login(deps, invoke), methods=_BOTH),
        _asset("console.css", "text/css", with_tokens(_STATIC / "console.css")),
        _asset("console.js", "text/javascript", (_STATIC / "console.js").read_bytes()),
    ]
    for path, (page, methods) in PAGES.items():
        found.append(Route(PREFIX + path, console_page(deps, invoke, page), methods=methods))
    upload = console_page(deps, invoke, import_pages.upload, max_form_bytes=upload_form_bytes(deps))
    found.append(Route(PREFIX + UPLOAD_PATH, upload, methods=["POST"]))
    return found
