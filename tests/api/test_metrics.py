"""``GET /metrics`` (README "Monitoring"): counters and histograms that move as boto3, a browser at the hosted
pages and an identity provider's answer use the server, read over a socket and parsed as Prometheus parses
them; bounded labels, no user data; off, behind a bearer token, and never on a pool's domain."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.conftest import ACCESS_KEY, SECRET_KEY, make_settings, running_server
from tests.support.auth import PASSWORD, make_client, make_user
from tests.support.bridge import free_port, serve_in_thread, socket_client
from tests.support.hosted import callback_params
from tests.support.hosted import sign_in as hosted_sign_in
from tests.support.metrics import Scrape, get_metrics, parse, scrape
from userpool.app import Runtime, build_runtime, create_app
from userpool.config import MetricsSettings

pytestmark = pytest.mark.socket

REQUESTS = "userpool_requests_total"
SECONDS = "userpool_request_duration_seconds"
SIGN_INS = "userpool_sign_ins_total"
CALLBACK = "https://app.example/callback"
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"


@dataclass
class Served:
    url: str
    runtime: Runtime
    idp: Any

    def scrape(self) -> Scrape:
        return scrape(self.url)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for the module, on a socket; its mail goes to a port nobody listens on, so that messages
    stay in the outbox. Each test reads the counters' moves, not their values."""
    tmp = tmp_path_factory.mktemp("metrics")
    settings = make_settings(
        tmp / "data", f"sqlite:///{tmp / 'userpool.sqlite3'}", smtp_url=f"smtp://127.0.0.1:{free_port()}"
    )
    runtime = build_runtime(settings)
    try:
        with serve_in_thread(create_app(settings, runtime=runtime)) as url:
            yield Served(url, runtime, socket_client(url, ACCESS_KEY, SECRET_KEY))
    finally:
        runtime.store.dispose()


def _pool(idp: Any, name: str) -> str:
    return str(idp.create_user_pool(PoolName=name)["UserPool"]["Id"])


def test_metrics__an_api_call_moves_its_operation_counter_and_histogram(served: Served) -> None:
    before = served.scrape()
    served.idp.list_user_pools(MaxResults=5)
    after = served.scrape()
    labels = {"operation": "ListUserPools"}
    assert after.value(REQUESTS, outcome="success", **labels) == before.value(REQUESTS, outcome="success", **labels) + 1
    assert after.value(f"{SECONDS}_count", **labels) == before.value(f"{SECONDS}_count", **labels) + 1
    assert after.value(f"{SECONDS}_bucket", le="+Inf", **labels) == before.value(f"{SECONDS}_count", **labels) + 1
    assert after.value(f"{SECONDS}_sum", **labels) > before.value(f"{SECONDS}_sum", **labels)


def test_metrics__a_failed_call_counts_its_cognito_type(served: Served) -> None:
    before = served.scrape()
    with pytest.raises(ClientError) as raised:
        served.idp.describe_user_pool(UserPoolId="eu-west-1_NoSuchPool")
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
    after = served.scrape()
    labels = {"operation": "DescribeUserPool", "outcome": "ResourceNotFoundException"}
    assert after.value(REQUESTS, **labels) == before.value(REQUESTS, **labels) + 1
    assert after.value(f"{SECONDS}_count", operation="DescribeUserPool") == (
        before.value(f"{SECONDS}_count", operation="DescribeUserPool") + 1
    )


def test_metrics__sign_ins_counted_by_flow_and_result(served: Served) -> None:
    idp = served.idp
    pool_id = _pool(idp, "sign-ins")
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "carol")
    idp.admin_create_user(
        UserPoolId=pool_id, Username="dave", TemporaryPassword="Temp-Pass-123", MessageAction="SUPPRESS"
    )
    before = served.scrape()

    def initiate(username: str, password: str) -> dict[str, Any]:
        params = {"USERNAME": username, "PASSWORD": password}
        answer = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)
        return dict(answer)

    initiate("carol", PASSWORD)
    with pytest.raises(ClientError):
        initiate("carol", "Wrong-Password-1")
    challenge = initiate("dave", "Temp-Pass-123")
    idp.respond_to_auth_challenge(
        ClientId=client["ClientId"],
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "dave", "NEW_PASSWORD": PASSWORD},
    )
    after = served.scrape()

    def moved(flow: str, result: str) -> float:
        return after.value(SIGN_INS, flow=flow, result=result) - before.value(SIGN_INS, flow=flow, result=result)

    assert moved("USER_PASSWORD_AUTH", "tokens") == 1
    assert moved("USER_PASSWORD_AUTH", "NotAuthorizedException") == 1
    assert moved("USER_PASSWORD_AUTH", "NEW_PASSWORD_REQUIRED") == 1
    assert moved("NEW_PASSWORD_REQUIRED", "tokens") == 1
    # Nothing about the users themselves.
    assert not any(word in after.text for word in ("carol", "dave", pool_id, client["ClientId"], PASSWORD))


def test_metrics__a_hosted_sign_in_counts_as_hosted(served: Served) -> None:
    idp = served.idp
    pool_id = _pool(idp, "hosted")
    client = make_client(
        idp,
        pool_id,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"],
        CallbackURLs=[CALLBACK],
        SupportedIdentityProviders=["COGNITO"],
    )
    make_user(idp, pool_id, "erin")
    query = urlencode(
        {"client_id": client["ClientId"], "response_type": "code", "scope": "openid", "redirect_uri": CALLBACK}
    )
    before = served.scrape()
    with httpx.Client(follow_redirects=False) as browser:
        wrong = hosted_sign_in(browser, f"{served.url}/oauth2/authorize?{query}", "erin", "Wrong-Password-1")
        assert wrong.status_code == 400  # the form again, with the error
        answer = hosted_sign_in(browser, f"{served.url}/oauth2/authorize?{query}", "erin", PASSWORD)
        assert "code" in callback_params(answer, CALLBACK)
    after = served.scrape()
    for result in ("tokens", "NotAuthorizedException"):
        assert after.value(SIGN_INS, flow="hosted", result=result) == (
            before.value(SIGN_INS, flow="hosted", result=result) + 1
        )
    # The pages' routes, by their templates.
    for route, outcome, count in (("/oauth2/authorize", "success", 2), ("/login", "success", 3), ("/login", "4xx", 1)):
        assert after.value(REQUESTS, operation=route, outcome=outcome) == (
            before.value(REQUESTS, operation=route, outcome=outcome) + count
        )


def test_metrics__a_provider_answer_of_no_sign_in_counts_as_federated_error_page(served: Served) -> None:
    before = served.scrape()
    with httpx.Client() as browser:
        page = browser.get(f"{served.url}/oauth2/idpresponse", params={"state": "not-a-sign-in", "code": "abc"})
    assert page.status_code == 302 and page.headers["location"].startswith("/error")
    after = served.scrape()
    labels = {"flow": "federated", "result": "error_page"}
    assert after.value(SIGN_INS, **labels) == before.value(SIGN_INS, **labels) + 1
    assert "not-a-sign-in" not in after.text


def test_metrics__routes_are_labelled_by_template_never_by_path(served: Served) -> None:
    pool_id = _pool(served.idp, "routes")
    before = served.scrape()
    with httpx.Client() as http:
        assert http.get(f"{served.url}/{pool_id}/.well-known/jwks.json").status_code == 200
        assert http.get(f"{served.url}/no/such/page-of-a-user-zed").status_code == 404
    after = served.scrape()
    jwks = {"operation": "/{pool_id}/.well-known/jwks.json", "outcome": "success"}
    assert after.value(REQUESTS, **jwks) == before.value(REQUESTS, **jwks) + 1
    unmatched = {"operation": "unmatched", "outcome": "4xx"}
    assert after.value(REQUESTS, **unmatched) == before.value(REQUESTS, **unmatched) + 1
    assert pool_id not in after.text and "page-of-a-user-zed" not in after.text
    # Every operation label is an operation of the model or a route's template.
    operations = {dict(labels)["operation"] for name, labels in after.samples if name == REQUESTS}
    assert all(op[0].isupper() or op.startswith("/") or op in ("unknown", "unmatched") for op in operations)


def test_metrics__the_token_endpoint_counts_under_its_path_whichever_way_it_is_reached(served: Served) -> None:
    # POST /oauth2/token skips the router (app.py): it is still counted as the route, as OPTIONS is.
    before = served.scrape()
    with httpx.Client() as http:
        refused = http.post(f"{served.url}/oauth2/token", data={"grant_type": "password"})
        assert refused.status_code in (400, 401) and "error" in refused.json()
        assert http.options(f"{served.url}/oauth2/token").status_code == 204
    after = served.scrape()
    for outcome in ("4xx", "success"):
        labels = {"operation": "/oauth2/token", "outcome": outcome}
        assert after.value(REQUESTS, **labels) == before.value(REQUESTS, **labels) + 1
    timed = {"operation": "/oauth2/token"}
    assert after.value(f"{SECONDS}_count", **timed) == before.value(f"{SECONDS}_count", **timed) + 2


def test_metrics__outbox_depth_and_password_hasher_gauges(served: Served) -> None:
    idp = served.idp
    pool_id = _pool(idp, "outbox")
    before = served.scrape()
    # An invitation by mail, to a mail server that is not there: it waits in the outbox.
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="frank",
        UserAttributes=[{"Name": "email", "Value": "frank@example.com"}],
        DesiredDeliveryMediums=["EMAIL"],
    )
    after = served.scrape()
    assert after.value("userpool_outbox_queued_messages", channel="EMAIL") == (
        before.value("userpool_outbox_queued_messages", channel="EMAIL") + 1
    )
    assert after.value("userpool_outbox_queued_messages", channel="SMS") == 0
    assert after.value("userpool_password_hash_threads") == served.runtime.deps.hasher.threads >= 1
    # Nothing hashes between requests: no computation waits, no thread is busy.
    assert after.value("userpool_password_hashes_waiting") == 0
    assert after.value("userpool_password_hash_threads_busy") == 0
    assert "frank" not in after.text


def _risk_moves(before: Scrape, after: Scrape, *pairs: tuple[str, str]) -> list[float]:
    name = "userpool_risk_decisions_total"
    return [after.value(name, level=lv, decision=d) - before.value(name, level=lv, decision=d) for lv, d in pairs]


def test_metrics__sign_ins_of_a_protected_pool_count_their_risk_decisions(served: Served) -> None:
    idp = served.idp
    pool_id = str(
        idp.create_user_pool(PoolName="risk", UserPoolAddOns={"AdvancedSecurityMode": "ENFORCED"})["UserPool"]["Id"]
    )
    client_id = make_client(idp, pool_id)["ClientId"]
    make_user(idp, pool_id, "rita")
    idp.set_risk_configuration(UserPoolId=pool_id, RiskExceptionConfiguration={"BlockedIPRangeList": ["192.0.2.0/24"]})

    def sign_in(address: str) -> None:
        idp.admin_initiate_auth(
            UserPoolId=pool_id,
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "rita", "PASSWORD": PASSWORD},
            ContextData={"IpAddress": address, "ServerName": "app", "ServerPath": "/", "HttpHeaders": []},
        )

    before = served.scrape()
    sign_in("198.51.100.7")
    with pytest.raises(ClientError):
        sign_in("192.0.2.77")
    with pytest.raises(ClientError):
        sign_in("192.0.2.78")
    after = served.scrape()
    # The first sign-in of a user has nothing to compare with: no signal, no risk.
    assert _risk_moves(before, after, ("none", "NoRisk"), ("High", "Block")) == [1, 2]


def test_metrics__risk_decision_labels_stay_within_cognitos_names(served: Served) -> None:
    before = served.scrape()
    metrics = served.runtime.deps.metrics
    metrics.risk_decision("Low", "NoRisk")
    metrics.risk_decision("<script>", "anything a caller made up")
    after = served.scrape()
    assert _risk_moves(before, after, ("Low", "NoRisk"), ("other", "other")) == [1, 1]
    assert "script" not in after.text and "made up" not in after.text


def test_metrics__answered_on_the_servers_host_only_never_on_a_pool_domain(served: Served) -> None:
    idp = served.idp
    pool_id = _pool(idp, "domains")
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain="metrics-prefix")
    custom = _pool(idp, "custom-domain")
    idp.create_user_pool_domain(
        UserPoolId=custom, Domain="auth.metrics.example.com", CustomDomainConfig={"CertificateArn": CERT}
    )
    for host in ("metrics-prefix.localhost", "auth.metrics.example.com"):
        status, _, text = get_metrics(served.url, {"Host": host})
        assert (status, text) == (404, "Not Found"), host
    for host in ("localhost", "127.0.0.1", "unregistered.localhost", "metrics.internal:9229"):
        assert get_metrics(served.url, {"Host": host})[0] == 200, host


def test_metrics__off_is_not_served(tmp_path: Any, database_url: str) -> None:
    settings = make_settings(tmp_path / "data", database_url, metrics=MetricsSettings(enabled=False))
    with running_server(settings) as server:
        server.client().list_user_pools(MaxResults=1)
        answer = server.test_client.get("/metrics")
        assert answer.status_code == 404
        assert server.runtime.metrics is None


def test_metrics__a_token_is_required_when_set(tmp_path: Any, database_url: str) -> None:
    token = "a-long-random-scrape-token"
    settings = make_settings(tmp_path / "data", database_url, metrics=MetricsSettings(token=token))
    with running_server(settings) as server:
        http = server.test_client
        missing = http.get("/metrics")
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"] == 'Bearer realm="userpool metrics"'
        for wrong in (f"Bearer {token}x", f"Bearer {token[:-1]}", f"Basic {token}", token, "Bearer "):
            answer = http.get("/metrics", headers={"Authorization": wrong})
            assert answer.status_code == 401, wrong
            assert token not in answer.text
        for right in (f"Bearer {token}", f"bearer {token}"):
            answer = http.get("/metrics", headers={"Authorization": right})
            assert answer.status_code == 200, right
            assert parse(answer.text).value("userpool_password_hash_threads") >= 1
