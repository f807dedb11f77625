"""The hosted pages' Content-Security-Policy: form submissions to the page's origin and the application's
(Chromium applies ``form-action`` to the redirects after a submission), unrestricted when the redirect URI is a
user pool's /oauth2/idpresponse, which sends the browser on to an origin the page cannot know."""

from __future__ import annotations

import pytest

from userpool.web.security import page_headers


def _directives(redirect_uri: str | None) -> dict[str, str]:
    policy = page_headers(redirect_uri)["Content-Security-Policy"]
    return dict(part.strip().partition(" ")[::2] for part in policy.split(";"))


def test_page_headers__form_action_is_the_page_and_the_applications_origin() -> None:
    directives = _directives("https://app.example.com/callback?x=1")
    assert directives["form-action"] == "'self' https://app.example.com"
    assert directives["script-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert _directives(None)["form-action"] == "'self'"
    assert _directives("myapp://signed-in")["form-action"] == "'self' myapp:"


@pytest.mark.parametrize(
    "idp_response",
    ["http://127.0.0.1:9229/oauth2/idpresponse", "https://relying.auth.eu-west-1.amazoncognito.com/oauth2/idpresponse"],
)
def test_page_headers__a_user_pools_idpresponse_leaves_form_action_open(idp_response: str) -> None:
    directives = _directives(idp_response)
    assert "form-action" not in directives
    assert directives["script-src"] == "'none'" and directives["default-src"] == "'none'"
