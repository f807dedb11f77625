"""Generated input for every implemented operation: malformed bodies are refused, valid ones never crash.

For each operation the registry implements, hypothesis builds a valid-looking body from the model's input
shape (pointing at a real pool, client, user and group), breaks exactly one thing in it, and sends it
SigV4-signed. Every answer must be a 400 with a known ``__type`` in AWS's error format, and no row of any
table may change. A second test sends valid bodies to the read-only operations and only asks for no 5xx.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import aggregate_order_by

from tests.conftest import ACCESS_KEY, SECRET_KEY, Server, make_settings, running_server
from tests.support.bridge import ENDPOINT, REGION
from tests.support.shapes_gen import Bodies, Malformed, dump, shape
from userpool import errors
from userpool.api.service_model import TARGET_PREFIX, input_shape, operations, service_model
from userpool.model.records import Client, Group, ResourceServer, User
from userpool.model.usernames import normalise
from userpool.services.registry import build_table
from userpool.store.sql.tables import metadata, outbox_messages

# One pytest-xdist worker runs the module, so that ``world`` below is set up once, not once per worker.
pytestmark = pytest.mark.xdist_group("malformed_input")

URL = f"{ENDPOINT}/"
IMPLEMENTED = sorted(build_table(operations()))
READ_ONLY = [op for op in IMPLEMENTED if op.startswith(("Describe", "Get", "List"))]

# Bounded so that the whole module stays near a minute per backend however many operations land;
# USERPOOL_TEST_EXAMPLES=<n> runs n examples per operation instead, for a deeper search.
_DEEP = int(os.environ.get("USERPOOL_TEST_EXAMPLES", "0"))
MALFORMED_EXAMPLES = _DEEP or max(12, min(60, 2400 // max(len(IMPLEMENTED), 1)))
VALID_EXAMPLES = _DEEP or max(20, min(100, 2000 // max(len(READ_ONLY), 1)))

KNOWN_ERRORS = frozenset(
    [name for name, spec in service_model()["shapes"].items() if spec.get("exception")]
    + [cls.__name__ for cls in errors.PROTOCOL_ERRORS]
)
# Every mutation breaks a constraint of the model, so validation (or JSON parsing) must catch it.
VALIDATION_ERRORS = frozenset({"InvalidParameterException", "SerializationException"})

PASSWORD = "Malformed-Input-1!"
PAGE_TOKENS = ("NextToken", "PaginationToken")
GENERATED = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


class World:
    """A running server and the real objects generated bodies point at."""

    def __init__(self, server: Server, bodies: Bodies) -> None:
        self.server = server
        self.bodies = bodies

    def __repr__(self) -> str:
        return f"World({self.server.runtime.store.engine.dialect.name}, {self.bodies.known})"


# -- set-up -----------------------------------------------------------------------------------------


def _store_user(server: Server, pool_id: str, username: str) -> None:
    now = time.time()
    sub = str(uuid.uuid4())
    with server.runtime.store.write() as tx:
        pool = tx.pools.get(pool_id)
        assert pool is not None
        attributes = {"sub": sub, "email": f"{username}@example.com", "email_verified": "true"}
        tx.users.add(
            User(pool_id, sub, username, normalise(pool, username), "CONFIRMED", True, None, None, attributes, now, now)
        )


def _objects(server: Server) -> dict[str, str]:
    """Create a pool, a client, a user in a group, a resource server (and a domain and tokens where the
    operations to make them exist); through the API when implemented, else through the store."""
    table = set(IMPLEMENTED)
    idp = server.client()
    store = server.runtime.store
    now = time.time()
    pool_id = idp.create_user_pool(PoolName="malformed-input")["UserPool"]["Id"]
    known = {"UserPoolId": pool_id, "Username": "malformed-user", "GroupName": "malformed-group"}
    flows = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    if "CreateUserPoolClient" in table:
        client = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="malformed", ExplicitAuthFlows=flows)
        known["ClientId"] = client["UserPoolClient"]["ClientId"]
    else:
        known["ClientId"] = "malformedinputclient000001"
        with store.write() as tx:
            config = {"ClientName": "malformed", "ExplicitAuthFlows": flows}
            tx.clients.add(Client(known["ClientId"], pool_id, "malformed", (), config, now, now))
    if "AdminCreateUser" in table:
        idp.admin_create_user(UserPoolId=pool_id, Username=known["Username"], MessageAction="SUPPRESS")
    else:
        _store_user(server, pool_id, known["Username"])
    if "CreateGroup" in table:
        idp.create_group(UserPoolId=pool_id, GroupName=known["GroupName"], Precedence=1)
    else:
        with store.write() as tx:
            tx.groups.add(Group(pool_id, known["GroupName"], "generated input", None, 1, now, now))
    if "AdminAddUserToGroup" in table:
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=known["Username"], GroupName=known["GroupName"])
    else:
        with store.write() as tx:
            user = tx.users.get_by_username(pool_id, known["Username"])
            assert user is not None
            tx.groups.add_member(pool_id, known["GroupName"], user.sub)
    known["Identifier"] = "https://api.example.test"
    scopes = [{"ScopeName": "read", "ScopeDescription": "read"}]
    if "CreateResourceServer" in table:
        idp.create_resource_server(UserPoolId=pool_id, Identifier=known["Identifier"], Name="api", Scopes=scopes)
    else:
        with store.write() as tx:
            tx.resource_servers.add(ResourceServer(pool_id, known["Identifier"], "api", scopes, now, now))
    if "CreateUserPoolDomain" in table:
        known["Domain"] = f"malformed-{uuid.uuid4().hex[:12]}"
        idp.create_user_pool_domain(UserPoolId=pool_id, Domain=known["Domain"])
    known.update(_tokens(idp, table, known))
    return known


def _tokens(idp: Any, table: set[str], known: dict[str, str]) -> dict[str, str]:
    """An access and a refresh token for the user, if the operations that issue them are implemented."""
    if not {"AdminSetUserPassword", "AdminInitiateAuth"} <= table:
        return {}
    try:
        idp.admin_set_user_password(
            UserPoolId=known["UserPoolId"], Username=known["Username"], Password=PASSWORD, Permanent=True
        )
        result = idp.admin_initiate_auth(
            UserPoolId=known["UserPoolId"],
            ClientId=known["ClientId"],
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": known["Username"], "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
    except (ClientError, KeyError):
        return {}
    return {"AccessToken": result["AccessToken"], "RefreshToken": result["RefreshToken"]}


def _settle_outbox(server: Server) -> None:
    """Wait until the background sender has delivered what set-up queued, so that rows stop changing."""
    pending = outbox_messages.c.status.in_(["pending", "sending"])
    deadline = time.monotonic() + 30
    while True:
        with server.runtime.store.engine.connect() as conn:
            left = conn.execute(sa.select(sa.func.count()).select_from(outbox_messages).where(pending)).scalar()
        if not left:
            return
        assert time.monotonic() < deadline, "the outbox did not drain"
        server.runtime.dispatcher.wake()
        time.sleep(0.05)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One server (on SQLite, as every API test: tests/conftest.py) for the whole module: set-up is paid once,
    not once per operation."""
    folder: Path = tmp_path_factory.mktemp("malformed")
    url = f"sqlite:///{folder / 'userpool.sqlite3'}"
    with running_server(make_settings(folder / "data", url)) as server:
        attribute_names = ("email", "email_verified", "sub", "name")
        bodies = Bodies({**_objects(server), "AttributesToGet": attribute_names, "UserAttributeNames": attribute_names})
        _settle_outbox(server)
        yield World(server, bodies)


# -- requests and checks ----------------------------------------------------------------------------


def _send(server: Server, operation: str, payload: bytes) -> Any:
    request = AWSRequest(
        method="POST",
        url=URL,
        data=payload,
        headers={"X-Amz-Target": f"{TARGET_PREFIX}{operation}", "Content-Type": "application/x-amz-json-1.1"},
    )
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "cognito-idp", REGION).add_auth(request)
    return server.test_client.post(URL, content=payload, headers=dict(request.headers.items()))


def _postgres_snapshot_query() -> sa.Select[Any]:
    """One round trip for the whole snapshot: each table's rows as a JSON array in primary-key order."""
    columns = []
    for table in metadata.sorted_tables:
        rows = table.alias(f"snap_{table.name}")
        ordered = aggregate_order_by(rows.table_valued(), *(rows.c[c.name] for c in table.primary_key.columns))
        columns.append(sa.select(sa.func.json_agg(ordered)).select_from(rows).scalar_subquery().label(table.name))
    return sa.select(*columns)


# Each table's SELECT compiled once and sent as driver SQL, the rows as SQLite stores them: compiled and run
# through SQLAlchemy's expression layer every time, a snapshot's SELECTs took about 6 ms; this way about 1 ms
# (two snapshots an example, thousands of examples).
_SQLITE_SNAPSHOT = [
    (table.name, str(sa.select(table).order_by(*table.primary_key.columns).compile(dialect=sqlite.dialect())))
    for table in metadata.sorted_tables
]


def _snapshot(server: Server) -> dict[str, Any]:
    """Every row of every table, in primary-key order."""
    engine = server.runtime.store.engine
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            return dict(conn.execute(_postgres_snapshot_query()).one()._mapping)
        return {name: [tuple(row) for row in conn.exec_driver_sql(sql)] for name, sql in _SQLITE_SNAPSHOT}


def _error_type(response: Any, context: str) -> str:
    """Check the AWS JSON error format of ``response``; return its ``__type``."""
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        pytest.fail(f"{context}: the error body is not JSON: {response.content[:300]!r}")
    assert isinstance(body, dict), f"{context}: the error body is not an object: {body!r}"
    error_type = body.get("__type")
    assert isinstance(error_type, str) and error_type, f"{context}: no __type in {body!r}"
    assert error_type in KNOWN_ERRORS, f"{context}: unknown __type {error_type!r}"
    assert isinstance(body.get("message"), str), f"{context}: no message in {body!r}"
    assert response.headers.get("x-amzn-ErrorType"), f"{context}: no x-amzn-ErrorType header"
    return error_type


def _members(operation: str) -> set[str]:
    name = input_shape(operation)
    return set(shape(name).get("members", {})) if name else set()


def _describe(operation: str, broken: Malformed, response: Any) -> str:
    shown = broken.payload if len(broken.payload) <= 600 else broken.payload[:600] + b"..."
    return (
        f"{operation}: {broken.kind} at {broken.where} -> HTTP {response.status_code} "
        f"{response.content[:400]!r}; sent {shown!r}"
    )


@pytest.mark.parametrize("operation", IMPLEMENTED)
@settings(GENERATED, max_examples=MALFORMED_EXAMPLES)
@given(data=st.data())
def test_every_operation__malformed_input_is_refused_and_writes_nothing(
    world: World, operation: str, data: st.DataObject
) -> None:
    shape_name = input_shape(operation)
    body = data.draw(world.bodies.valid(shape_name), label="valid body")
    broken = data.draw(world.bodies.malformed(shape_name, body), label="broken")
    before = _snapshot(world.server)
    response = _send(world.server, operation, broken.payload)
    context = _describe(operation, broken, response)
    assert response.status_code == 400, context
    error_type = _error_type(response, context)
    assert error_type in VALIDATION_ERRORS, f"{context}: a model violation must fail validation"
    assert _snapshot(world.server) == before, f"{context}: the database changed"


@pytest.mark.skipif(not READ_ONLY, reason="no read-only operation is implemented")
@pytest.mark.parametrize("operation", READ_ONLY or ["none"])
@settings(GENERATED, max_examples=VALID_EXAMPLES)
@given(data=st.data())
def test_read_only_operations__valid_input_never_fails_with_5xx(
    world: World, operation: str, data: st.DataObject
) -> None:
    body = data.draw(world.bodies.valid(input_shape(operation)), label="valid body")
    for _ in range(2):  # the request, then the next page if the answer has one
        payload = dump(body)
        response = _send(world.server, operation, payload)
        context = f"{operation}: HTTP {response.status_code} {response.content[:400]!r}; sent {payload[:600]!r}"
        assert response.status_code < 500, context
        if response.status_code != 200:
            assert response.status_code == 400, context
            _error_type(response, context)
            return
        answer = orjson.loads(response.content)
        token = next((name for name in PAGE_TOKENS if answer.get(name) and name in _members(operation)), None)
        if token is None:
            return
        body = {**body, token: answer[token]}
