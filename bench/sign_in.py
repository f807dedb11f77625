"""Sign-up and sign-in on SQLite and PostgreSQL and on moto side by side: SignUp, AdminConfirmSignUp,
InitiateAuth USER_PASSWORD_AUTH, USER_SRP_AUTH (pycognito), REFRESH_TOKEN_AUTH and GetUser, over HTTP on 127.0.0.1.

Each operation is measured twice: its latency from one client thread (p50/p95 over ``--calls`` calls), and its
throughput from C client threads (C = 2 x the cores, each with its own boto3 client and its own users) for
``--seconds``. The per-core rate is the requests per second divided by the cores the server kept busy, an
estimate: client and server share one process, so the server's CPU is the process's CPU minus the client
threads' own, and PostgreSQL's processes are not counted at all.

Our server hashes at the real default argon2id cost (``Settings().argon2``, OWASP's m=19 MiB, t=2, p=1), which
bounds SignUp and password sign-in: one hash and one verify at that cost are timed on their own and printed
beside them. Design §8's per-core targets: password login >= 40/s, refresh >= 1,000/s, GetUser >= 5,000/s.
An operation our server answers with UnsupportedOperationException is reported as not implemented.
"""

from __future__ import annotations

import argparse
import math
import os
import secrets
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gmpy2
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from bench.targets import TARGETS, Target, Timing, target, timed, timed_threads
from userpool.config import Argon2Params, Settings
from userpool.crypto import srp
from userpool.crypto.passwords import PasswordHasher

PASSWORD = "Bench-Passw0rd!"  # noqa: S105 - every bench user's password, on a throwaway server
WARMUP = 5
SIGN_UP = "SignUp"
CONFIRM = "AdminConfirmSignUp"
LOGIN = "InitiateAuth USER_PASSWORD_AUTH"
SRP_LOGIN = "USER_SRP_AUTH (2 round trips)"
REFRESH = "InitiateAuth REFRESH_TOKEN_AUTH"
GET_USER = "GetUser (access token)"
OPERATIONS = (SIGN_UP, CONFIRM, LOGIN, SRP_LOGIN, REFRESH, GET_USER)
DESIGN_TARGETS = {LOGIN: ">= 40", SRP_LOGIN: ">= 150", REFRESH: ">= 1,000", GET_USER: ">= 5,000"}


class NotImplementedByTarget(Exception):
    """The target answered UnsupportedOperationException."""


@dataclass(frozen=True)
class Row:
    operation: str
    label: str
    latency: Timing | None = None
    """One client thread."""
    load: Timing | None = None
    """C client threads."""
    note: str = ""
    """Why there are no figures: not implemented, failed, or not run."""


@dataclass
class Users:
    """What one target's run has made so far."""

    created: list[str]
    confirmed: list[str]
    access: dict[str, str]
    refresh: dict[str, str]


def _unsupported(error: ClientError) -> bool:
    return bool(error.response.get("Error", {}).get("Code") == "UnsupportedOperationException")


def _own(users: list[str], thread: int, threads: int) -> list[str]:
    """The users of client thread ``thread``: none shared with another thread while there are enough."""
    return users[thread::threads] or [users[thread % len(users)]]


def _pick(users: list[str], i: int, threads: int) -> str:
    """The user of call ``i``: those of the client thread that takes the calls ``i % threads`` in turn."""
    mine = _own(users, i % threads, threads)
    return mine[(i // threads) % len(mine)]


def _tokens(response: dict[str, Any], username: str) -> dict[str, Any]:
    result = response.get("AuthenticationResult")
    if not result:
        raise RuntimeError(f"sign-in of {username} answered a challenge, not tokens: {response.get('ChallengeName')}")
    tokens: dict[str, Any] = result
    return tokens


class Run:
    """The operations of :data:`OPERATIONS` against one target, in order, each feeding the next its users."""

    def __init__(self, t: Target, calls: int, seconds: float, threads: int) -> None:
        self.t = t
        self.calls = calls
        self.seconds = seconds
        self.threads = threads
        self.users = Users([], [], {}, {})
        idp = t.client
        self.pool_id: str = idp.create_user_pool(PoolName=f"bench-sign-in-{secrets.token_hex(4)}")["UserPool"]["Id"]
        self.client_id: str = idp.create_user_pool_client(
            UserPoolId=self.pool_id,
            ClientName="bench",
            GenerateSecret=False,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        # One boto3 client per client thread, made before any timing.
        self.clients = [t.connect() for _ in range(threads)]

    # One call of each operation, by a given boto3 client, for call number ``i`` of a phase.

    def sign_up(self, idp: Any, i: int) -> None:
        username = f"user{i:07d}"
        idp.sign_up(ClientId=self.client_id, Username=username, Password=PASSWORD)
        self.users.created.append(username)

    def confirm(self, idp: Any, username: str) -> None:
        idp.admin_confirm_sign_up(UserPoolId=self.pool_id, Username=username)
        self.users.confirmed.append(username)

    def password_auth(self, idp: Any, username: str) -> None:
        response = idp.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )
        tokens = _tokens(response, username)
        self.users.access[username] = tokens["AccessToken"]
        self.users.refresh[username] = tokens["RefreshToken"]

    def srp_auth(self, idp: Any, username: str) -> None:
        # Both round trips, driven by pycognito's client; its own modular exponentiations run in this
        # process too, so they are in the latency but not in the server's CPU estimate.
        _tokens(
            AWSSRP(
                username=username, password=PASSWORD, pool_id=self.pool_id, client_id=self.client_id, client=idp
            ).authenticate_user(),
            username,
        )

    def refresh(self, idp: Any, username: str) -> None:
        response = idp.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": self.users.refresh[username]},
        )
        self.users.access[username] = _tokens(response, username)["AccessToken"]

    def get_user(self, idp: Any, username: str) -> None:
        response = idp.get_user(AccessToken=self.users.access[username])
        if response["Username"] != username:
            raise RuntimeError(f"GetUser answered {response['Username']} for {username}")

    # Both measurements of one operation.

    def measure(
        self,
        operation: str,
        call: Callable[[Any, int], None],
        latency_calls: int,
        load_calls: Callable[[], int | None],
    ) -> Row:
        """``call(client, i)``: one thread for ``i`` below ``WARMUP + latency_calls`` (the first :data:`WARMUP`
        untimed), then C threads for ``--seconds`` or ``load_calls()`` calls, whichever comes first, on the
        ``i`` that follow."""
        offset = WARMUP + latency_calls
        try:
            latency = timed(lambda i: call(self.t.client, i), latency_calls, warmup=WARMUP)
            per_thread = [self._bind(call, idp, offset) for idp in self.clients]
            load = timed_threads(per_thread, self.seconds, limit=load_calls())
        except ClientError as error:
            if _unsupported(error):
                return Row(operation, self.t.label, note="not implemented")
            # Reported in the table, so the other operations and targets still run; what follows is not run.
            detail = error.response.get("Error", {})
            return Row(operation, self.t.label, note=f"failed: {detail.get('Code')}: {detail.get('Message')}"[:90])
        return Row(operation, self.t.label, latency, load)

    @staticmethod
    def _bind(call: Callable[[Any, int], None], idp: Any, offset: int) -> Callable[[int], None]:
        def bound(i: int) -> None:
            call(idp, offset + i)

        return bound

    def run(self) -> list[Row]:
        users = self.users
        rows = [self.measure(SIGN_UP, self.sign_up, self.calls, lambda: None)]
        if len(users.created) < WARMUP + 2:
            return rows + [Row(op, self.t.label, note="not run: no users") for op in OPERATIONS[1:]]

        # In creation order, which is the order of ``i`` within each phase.
        created = sorted(users.created)
        confirm_calls = min(self.calls, len(created) - WARMUP)
        rows.append(
            self.measure(
                CONFIRM,
                lambda idp, i: self.confirm(idp, created[i]),
                confirm_calls,
                lambda: len(created) - WARMUP - confirm_calls,
            )
        )
        if not users.confirmed:
            return rows + [Row(op, self.t.label, note="not run: no confirmed users") for op in OPERATIONS[2:]]

        confirmed = list(users.confirmed)
        rows.append(self._per_user(LOGIN, self.password_auth, confirmed))
        rows.append(self._per_user(SRP_LOGIN, self.srp_auth, confirmed))
        signed_in = [u for u in confirmed if u in users.refresh]
        if not signed_in:
            return rows + [Row(op, self.t.label, note="not run: no tokens") for op in OPERATIONS[4:]]
        rows.append(self._per_user(REFRESH, self.refresh, signed_in))
        rows.append(self._per_user(GET_USER, self.get_user, signed_in))
        return rows

    def _per_user(self, operation: str, call: Callable[[Any, str], None], users: list[str]) -> Row:
        """An operation on existing users, each client thread on its own ones (the single thread on all)."""
        return self.measure(
            operation,
            lambda idp, i: call(idp, _pick(users, i, self.threads)),
            self.calls,
            lambda: None,
        )


@dataclass(frozen=True)
class Argon2Cost:
    params: Argon2Params
    hash: Timing
    verify: Timing
    # The server's SRP arithmetic: one 3072-bit modexp with a 256-bit exponent (gmpy2.powmod_sec), and all
    # of one USER_SRP_AUTH sign-in's (B = k·v + g^b, then S = (A·v^u)^b: three modexps).
    modexp: Timing
    srp_math: Timing


def argon2_cost(params: Argon2Params, calls: int) -> Argon2Cost:
    """One PasswordHasher.hash and .verify at ``params``, one SRP modexp and one sign-in's SRP arithmetic,
    each on one thread: p50/p95 and rate per core."""
    hasher = PasswordHasher(params.time_cost, params.memory_kib, params.parallelism)
    stored = hasher.hash(PASSWORD)
    _salt, verifier = srp.enrol("us-east-1_bench", "bench-user", PASSWORD)
    client_public = srp.server_public(verifier, srp.new_server_secret())  # any valid A will do

    def srp_math() -> None:
        b = srp.new_server_secret()
        srp.server_public(verifier, b)
        srp.session_key(client_public, verifier, b)

    def time_it(fn: Callable[[], object]) -> Timing:
        fn()
        samples: list[float] = []
        cpu = time.thread_time()
        for _ in range(calls):
            started = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - started) * 1000)
        used = time.thread_time() - cpu
        cuts = statistics.quantiles(samples, n=100)
        return Timing(calls, 1, cuts[49], cuts[94], 1000 * calls / sum(samples), used * 1000 / calls)

    exponent = srp.new_server_secret()
    return Argon2Cost(
        params,
        time_it(lambda: hasher.hash(PASSWORD)),
        time_it(lambda: hasher.verify(stored, PASSWORD)),
        time_it(lambda: gmpy2.powmod_sec(srp.G, exponent, srp.N)),
        time_it(srp_math),
    )


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.2f}"


def _cores(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}"


def _rate(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def print_table(rows: list[Row], cost: Argon2Cost, calls: int, seconds: float, threads: int) -> None:
    moto = {r.operation: r.load.per_second for r in rows if r.label == "moto" and r.load}
    p = cost.params
    argon2_label = f"m={p.memory_kib // 1024}MiB t={p.time_cost} p={p.parallelism}"
    print(
        f"\nSign-up and sign-in through boto3 over HTTP on 127.0.0.1; our server at argon2id m={p.memory_kib} KiB, "
        f"t={p.time_cost}, p={p.parallelism}.\np50/p95: one client thread, {calls} calls. req/s: {threads} client "
        f"threads on {os.cpu_count()} cores, each with its own boto3 client and users, for {seconds:g} s.\n"
        "cores: the server's cores busy; per-core = req/s / cores, an ESTIMATE: client and server share one\n"
        "process, the server's CPU is the process's minus the client threads' own, and PostgreSQL's own processes\n"
        "are not counted. / moto = req/s / moto's req/s (moto hashes no passwords).\n"
        "bound: one argon2id hash or verify at that cost, one SRP modexp, one sign-in's SRP arithmetic, each on\n"
        "one thread of this process: p50/p95, rate per core and CPU per call."
    )
    header = (
        f"{'operation':<31} {'target':<19} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7} {'cores':>5} "
        f"{'per-core':>8} {'/ moto':>7}  §8 per-core"
    )
    print(header)
    print("-" * len(header))
    for operation in OPERATIONS:
        for r in (r for r in rows if r.operation == operation):
            if r.latency is None or r.load is None:
                print(f"{operation:<31} {r.label:<19} {r.note}")
                continue
            load = r.load
            cores = load.per_second * load.server_cpu_ms / 1000
            versus = ""
            if r.label != "moto" and moto.get(operation, 0) > 0 and not math.isnan(load.per_second):
                versus = f"{load.per_second / moto[operation]:.2f}x"
            line = (
                f"{operation:<31} {r.label:<19} {_ms(r.latency.p50_ms):>8} {_ms(r.latency.p95_ms):>8} "
                f"{_rate(load.per_second):>7} {_cores(cores):>5} "
                f"{_rate(load.per_cpu_second):>8} {versus:>7}  {DESIGN_TARGETS.get(operation, '')}"
            )
            print(line.rstrip())
        # What bounds the operations that hash or verify a password, on one thread of this process.
        bounds = {
            SIGN_UP: [("argon2id hash", argon2_label, cost.hash)],
            LOGIN: [("argon2id verify", argon2_label, cost.verify)],
            SRP_LOGIN: [
                ("SRP modexp", "3072-bit, 256-bit e", cost.modexp),
                ("SRP math/login", "3 modexps", cost.srp_math),
            ],
        }.get(operation, [])
        for name, label, timing in bounds:
            print(
                f"{'  bound: ' + name:<31} {label:<19} {_ms(timing.p50_ms):>8} "
                f"{_ms(timing.p95_ms):>8} {'':>7} {'1':>5} {_rate(timing.per_cpu_second):>8}  (1 thread, "
                f"CPU {timing.server_cpu_ms:.3f} ms)"
            )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench sign_in", description=__doc__.split("\n")[0])
    parser.add_argument("--targets", default=",".join(TARGETS), help=f"comma-separated: {', '.join(TARGETS)}")
    parser.add_argument("--calls", type=int, default=200, help="calls per operation from one thread (p50/p95)")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per operation from C threads (req/s)")
    parser.add_argument(
        "--threads", type=int, default=2 * (os.cpu_count() or 1), help="C, the client threads (default 2 x cores)"
    )
    args = parser.parse_args(argv)
    names = args.targets.split(",")
    unknown = set(names) - set(TARGETS)
    if unknown:
        parser.error(f"unknown targets {', '.join(sorted(unknown))}: choose from {', '.join(TARGETS)}")
    if args.calls < 2 or args.seconds <= 0 or args.threads < 1:
        parser.error("--calls must be at least 2, --seconds above 0 and --threads at least 1")
    argon2 = Settings().argon2
    cost = argon2_cost(argon2, min(args.calls, 20))
    rows: list[Row] = []
    for name in names:
        started = time.perf_counter()
        with target(name, argon2=argon2) as t:
            rows += Run(t, args.calls, args.seconds, args.threads).run()
        print(f"[{name}] done in {time.perf_counter() - started:.1f} s", flush=True)
    print_table(rows, cost, args.calls, args.seconds, args.threads)
    return 0
