"""The scenarios, each a set of workers (one connection each) that the load driver calls back to back.

| scenario | one request is |
|---|---|
| signup | SignUp of a new user (argon2id hash on our server), in a pool of its own |
| password_login | InitiateAuth USER_PASSWORD_AUTH (argon2id verify) |
| srp_login | InitiateAuth USER_SRP_AUTH + RespondToAuthChallenge PASSWORD_VERIFIER: both round trips |
| refresh | InitiateAuth REFRESH_TOKEN_AUTH |
| client_credentials | POST /oauth2/token grant_type=client_credentials (HTTP Basic) |
| oauth_refresh | POST /oauth2/token grant_type=refresh_token with the public client's client_id (hosted UI apps) |
| get_user | GetUser with an access token |
| admin_get_user | AdminGetUser (SigV4) |
| list_users[N] | ListUsers (SigV4) with ``email = "..."`` on a pool of N users, a random user each time |
| mixed | 60% get_user, 20% refresh, 10% admin_get_user, 8% list_users (main pool), 2% password_login |

Every worker has users of its own (no two workers sign in as the same user) and cycles through them.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import random
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from bench import population
from bench.api import ApiError, CognitoClient
from bench.load import ScenarioError, Worker
from bench.servers import Server
from bench.srp_client import SrpClient

PASSWORD = "Bench-Passw0rd!"  # noqa: S105 - every bench user's password, on a throwaway server
SCENARIOS = (
    "signup",
    "password_login",
    "srp_login",
    "refresh",
    "client_credentials",
    "oauth_refresh",
    "get_user",
    "admin_get_user",
    "list_users",
    "mixed",
)
MIXED = {"get_user": 30, "refresh": 10, "admin_get_user": 5, "list_users": 4, "password_login": 1}
"""Out of 50 requests of the mixed scenario."""


class Skip(Exception):
    """The scenario cannot run on this target; the message says why."""


def list_case(size: int) -> str:
    label = f"{size // 1000}k" if size % 1000 == 0 else str(size)
    return f"list_users[{label}]"


def cases(scenarios: list[str], list_sizes: list[int]) -> list[str]:
    """The rows of a run: each scenario, ListUsers once per pool size."""
    found: list[str] = []
    for scenario in scenarios:
        found += [list_case(s) for s in list_sizes] if scenario == "list_users" else [scenario]
    return found


@dataclass
class BenchUser:
    username: str
    access_token: str = ""
    refresh_token: str = ""


def _tokens(response: dict[str, Any]) -> dict[str, Any]:
    result = response.get("AuthenticationResult")
    if not isinstance(result, dict) or "AccessToken" not in result:
        raise ScenarioError(f"answered {response.get('ChallengeName') or 'no tokens'}, not tokens")
    return result


@dataclass
class ListPool:
    pool_id: str
    size: int
    plans: list[population.Plan] = field(default_factory=list)
    note: str = ""


class Bench:
    """The scenarios against one running target."""

    def __init__(self, server: Server, concurrency: int, list_concurrency: int, moto_list_max: int) -> None:
        self.server = server
        self.concurrency = concurrency
        self.list_concurrency = list_concurrency
        self.moto_list_max = moto_list_max
        self.pool_id = ""
        self.client_id = ""
        self.users: list[BenchUser] = []
        self.list_pools: dict[int, ListPool] = {}
        self._clients: list[CognitoClient] = []
        self._srp: SrpClient | None = None
        self._signups = itertools.count()

    def client(self) -> CognitoClient:
        client = CognitoClient(self.server.endpoint)
        self._clients.append(client)
        return client

    def close_clients(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()

    async def admin(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        client = CognitoClient(self.server.endpoint)
        try:
            return await client.call(operation, params, signed=True)
        finally:
            client.close()

    # Set-up, not measured.

    async def setup(self, users: int) -> None:
        """A pool, an app client and ``users`` confirmed users, each signed in once (their tokens kept)."""
        pool = await self.admin("CreateUserPool", {"PoolName": "bench", "AliasAttributes": ["email"]})
        self.pool_id = pool["UserPool"]["Id"]
        self.client_id = await self._app_client(self.pool_id)
        self.users = [BenchUser(f"bench{n:05d}") for n in range(users)]
        clients = [self.client() for _ in range(min(self.concurrency, users))]

        async def make(client: CognitoClient, first: int) -> None:
            for user in self.users[first :: len(clients)]:
                attributes = [{"Name": "email", "Value": f"{user.username}@example.com"}]
                attributes.append({"Name": "email_verified", "Value": "true"})
                await client.call(
                    "AdminCreateUser",
                    {
                        "UserPoolId": self.pool_id,
                        "Username": user.username,
                        "MessageAction": "SUPPRESS",
                        "UserAttributes": attributes,
                    },
                    signed=True,
                )
                await client.call(
                    "AdminSetUserPassword",
                    {"UserPoolId": self.pool_id, "Username": user.username, "Password": PASSWORD, "Permanent": True},
                    signed=True,
                )
                await self._password_login(client, user)

        try:
            await asyncio.gather(*(make(c, n) for n, c in enumerate(clients)))
        finally:
            self.close_clients()
        self._srp = SrpClient(self.pool_id, PASSWORD)

    async def _app_client(self, pool_id: str) -> str:
        flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        created = await self.admin(
            "CreateUserPoolClient", {"UserPoolId": pool_id, "ClientName": "bench", "ExplicitAuthFlows": flows}
        )
        return str(created["UserPoolClient"]["ClientId"])

    # One request of each kind.

    async def _password_login(self, client: CognitoClient, user: BenchUser) -> None:
        response = await client.call(
            "InitiateAuth",
            {
                "ClientId": self.client_id,
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": user.username, "PASSWORD": PASSWORD},
            },
        )
        tokens = _tokens(response)
        user.access_token, user.refresh_token = tokens["AccessToken"], tokens.get("RefreshToken", "")

    async def _srp_login(self, client: CognitoClient, user: BenchUser) -> None:
        assert self._srp is not None
        pair, srp_a = self._srp.start()
        challenge = await client.call(
            "InitiateAuth",
            {
                "ClientId": self.client_id,
                "AuthFlow": "USER_SRP_AUTH",
                "AuthParameters": {"USERNAME": user.username, "SRP_A": srp_a},
            },
        )
        if challenge.get("ChallengeName") != "PASSWORD_VERIFIER":
            raise ScenarioError(f"USER_SRP_AUTH answered {challenge.get('ChallengeName')}, not PASSWORD_VERIFIER")
        answer: dict[str, Any] = {
            "ClientId": self.client_id,
            "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeResponses": self._srp.answer(pair, challenge["ChallengeParameters"]),
        }
        if challenge.get("Session"):
            answer["Session"] = challenge["Session"]
        _tokens(await client.call("RespondToAuthChallenge", answer))

    async def _refresh(self, client: CognitoClient, user: BenchUser) -> None:
        response = await client.call(
            "InitiateAuth",
            {
                "ClientId": self.client_id,
                "AuthFlow": "REFRESH_TOKEN_AUTH",
                "AuthParameters": {"REFRESH_TOKEN": user.refresh_token},
            },
        )
        tokens = _tokens(response)
        user.access_token = tokens["AccessToken"]
        # A client with refresh token rotation answers a new refresh token; the old one is then spent.
        user.refresh_token = tokens.get("RefreshToken") or user.refresh_token

    async def _oauth_refresh(self, client: CognitoClient, user: BenchUser) -> None:
        answer = await client.token(
            {"grant_type": "refresh_token", "refresh_token": user.refresh_token}, self.client_id, None
        )
        if "access_token" not in answer or "id_token" not in answer:
            raise ScenarioError("the token endpoint answered no access_token and id_token")
        user.access_token = answer["access_token"]
        user.refresh_token = answer.get("refresh_token") or user.refresh_token

    async def _get_user(self, client: CognitoClient, user: BenchUser) -> None:
        response = await client.call("GetUser", {"AccessToken": user.access_token})
        if response.get("Username") != user.username:
            raise ScenarioError(f"GetUser answered {response.get('Username')!r} for {user.username!r}")

    async def _admin_get_user(self, client: CognitoClient, user: BenchUser) -> None:
        response = await client.call(
            "AdminGetUser", {"UserPoolId": self.pool_id, "Username": user.username}, signed=True
        )
        if response.get("Username") != user.username:
            raise ScenarioError(f"AdminGetUser answered {response.get('Username')!r} for {user.username!r}")

    async def _find_user(self, client: CognitoClient, user: BenchUser) -> None:
        """ListUsers of the main pool by email (the mixed scenario's)."""
        response = await client.call(
            "ListUsers",
            {"UserPoolId": self.pool_id, "Filter": f'email = "{user.username}@example.com"'},
            signed=True,
        )
        if len(response.get("Users", [])) != 1:
            raise ScenarioError(f"ListUsers found {len(response.get('Users', []))} users, not 1")

    # Workers of each scenario.

    def _per_user(self, call: Callable[[CognitoClient, BenchUser], Awaitable[None]]) -> list[Worker]:
        """One worker per connection, each cycling through users of its own."""

        async def turn(client: CognitoClient, mine: Iterator[BenchUser]) -> None:
            await call(client, next(mine))

        workers: list[Worker] = []
        for w in range(self.concurrency):
            mine = self.users[w :: self.concurrency] or [self.users[w % len(self.users)]]
            workers.append(partial(turn, self.client(), itertools.cycle(mine)))
        return workers

    async def workers(self, case: str) -> tuple[list[Worker], str]:
        """The workers of ``case`` and a note on how it ran; :class:`Skip` if it cannot run here."""
        simple: dict[str, Callable[[CognitoClient, BenchUser], Awaitable[None]]] = {
            "password_login": self._password_login,
            "srp_login": self._srp_login,
            "refresh": self._refresh,
            "get_user": self._get_user,
            "admin_get_user": self._admin_get_user,
        }
        if case in simple:
            return self._per_user(simple[case]), ""
        if case == "signup":
            return await self._signup_workers(), ""
        if case == "client_credentials":
            return await self._client_credentials_workers()
        if case == "oauth_refresh":
            if self.server.is_moto:
                raise Skip("moto serves no /oauth2/token")
            return self._per_user(self._oauth_refresh), ""
        if case == "mixed":
            return self._mixed_workers(), ""
        if case.startswith("list_users["):
            return await self._list_workers(case)
        raise ValueError(f"unknown scenario {case!r}")

    async def _signup_workers(self) -> list[Worker]:
        pool = await self.admin("CreateUserPool", {"PoolName": "bench-signup"})
        pool_id = pool["UserPool"]["Id"]
        client_id = await self._app_client(pool_id)

        async def sign_up(client: CognitoClient) -> None:
            name = f"signup{next(self._signups):07d}"
            await client.call(
                "SignUp",
                {
                    "ClientId": client_id,
                    "Username": name,
                    "Password": PASSWORD,
                    "UserAttributes": [{"Name": "email", "Value": f"{name}@example.com"}],
                },
            )

        return [partial(sign_up, self.client()) for _ in range(self.concurrency)]

    async def _client_credentials_workers(self) -> tuple[list[Worker], str]:
        if self.server.is_moto:
            # moto_server has no OAuth2 endpoints: its /oauth2/token answers 500.
            raise Skip("moto serves no /oauth2/token")
        probe = self.client()
        try:
            await probe.token({"grant_type": "client_credentials"}, "probe", "probe")
        except ApiError as error:
            if error.status in (404, 405):
                raise Skip(f"no /oauth2/token on this server yet (answered {error.status})") from None
        await self.admin(
            "CreateResourceServer",
            {
                "UserPoolId": self.pool_id,
                "Identifier": "bench",
                "Name": "bench",
                "Scopes": [{"ScopeName": "read", "ScopeDescription": "read"}],
            },
        )
        created = await self.admin(
            "CreateUserPoolClient",
            {
                "UserPoolId": self.pool_id,
                "ClientName": "bench-m2m",
                "GenerateSecret": True,
                "AllowedOAuthFlows": ["client_credentials"],
                "AllowedOAuthScopes": ["bench/read"],
                "AllowedOAuthFlowsUserPoolClient": True,
            },
        )
        client_id = created["UserPoolClient"]["ClientId"]
        secret = created["UserPoolClient"]["ClientSecret"]

        async def token(client: CognitoClient) -> None:
            answer = await client.token({"grant_type": "client_credentials", "scope": "bench/read"}, client_id, secret)
            if "access_token" not in answer:
                raise ScenarioError("the token endpoint answered no access_token")

        return [partial(token, self.client()) for _ in range(self.concurrency)], ""

    def _mixed_workers(self) -> list[Worker]:
        calls: dict[str, Callable[[CognitoClient, BenchUser], Awaitable[None]]] = {
            "get_user": self._get_user,
            "refresh": self._refresh,
            "admin_get_user": self._admin_get_user,
            "list_users": self._find_user,
            "password_login": self._password_login,
        }
        sequence = [name for name, weight in MIXED.items() for _ in range(weight)]
        random.Random(8).shuffle(sequence)

        async def turn(client: CognitoClient, mine: Iterator[BenchUser], ops: Iterator[str]) -> None:
            await calls[next(ops)](client, next(mine))

        workers: list[Worker] = []
        for w in range(self.concurrency):
            mine = self.users[w :: self.concurrency] or [self.users[w % len(self.users)]]
            ops = itertools.islice(itertools.cycle(sequence), w * 7, None)  # workers out of step
            workers.append(partial(turn, self.client(), itertools.cycle(mine), ops))
        return workers

    async def _list_workers(self, case: str) -> tuple[list[Worker], str]:
        size = int(case[len("list_users[") : -1].replace("k", "000"))
        pool = self.list_pools.get(size) or await self._list_pool(size)
        rng = random.Random(size)

        async def find(client: CognitoClient) -> None:
            query = population.exact_filter(rng.randrange(10, size - 10))
            response = await client.call("ListUsers", {"UserPoolId": pool.pool_id, **query}, signed=True)
            if len(response.get("Users", [])) != 1:
                raise ScenarioError(f"ListUsers found {len(response.get('Users', []))} users, not 1")

        return [partial(find, self.client()) for _ in range(self.list_concurrency)], pool.note

    async def _list_pool(self, size: int) -> ListPool:
        if self.server.is_moto and size > self.moto_list_max:
            raise Skip(
                f"moto: no pool of {size:,} (loaded through AdminCreateUser; --moto-list-max {self.moto_list_max:,})"
            )
        created = await self.admin("CreateUserPool", {"PoolName": f"bench-{size}", "AliasAttributes": ["email"]})
        pool = ListPool(created["UserPool"]["Id"], size)
        how = "through AdminCreateUser" if self.server.database_url is None else "into the database"
        print(f"[{self.server.name}] loading {size:,} users {how} for ListUsers", flush=True)
        started = time.perf_counter()
        if self.server.database_url is None:
            clients = [self.client() for _ in range(self.concurrency)]
            try:
                await population.load_through_api(clients, pool.pool_id, size)
            finally:
                self.close_clients()
            took = time.perf_counter() - started
            rate = size / took
            pool.note = (
                f"loaded through AdminCreateUser at {rate:,.0f} users/s "
                f"(100k would take ~{math.ceil(100_000 / rate / 60)} min)"
            )
        elif self.server.source is not None:
            # Another revision's server: its own revision writes the rows; no plans (they are read in process).
            url = self.server.database_url
            await asyncio.to_thread(population.bulk_load_from, self.server.source, url, pool.pool_id, size)
            pool.note = f"bulk-loaded in {time.perf_counter() - started:.0f} s"
        else:
            await asyncio.to_thread(population.bulk_load, self.server.database_url, pool.pool_id, size)
            pool.plans = await asyncio.to_thread(population.plans, self.server, pool.pool_id, size)
            took = time.perf_counter() - started
            bad = sum(1 for p in pool.plans if p.problems)
            pool.note = f"bulk-loaded in {took:.0f} s; plans: {len(pool.plans)} statements, {bad} growing with the pool"
            if bad and size < 10_000 and "postgresql" in self.server.database_url:
                pool.note += " (PostgreSQL rightly reads a table of a few pages sequentially: judge at 100k)"
        self.list_pools[size] = pool
        return pool
