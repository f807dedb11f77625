"""``python -m bench existence``: what a real user and a name no user has cost where the app client hides which users
exist (PreventUserExistenceErrors ENABLED). An unknown user and a wrong password cost the same time
(docs/architecture.md, Security invariants); the median of each operation for a real user over its median for an unknown
name must stay within 0.9-1.1, or the time alone tells who exists.

One server, started as ``bench run`` starts it (pinned to ``--server-cpus``), is sent one request at a time on
one keep-alive connection: latency as a client sees it, not throughput. A real user's request and an unknown
name's alternate, in the order ABBA, so that a slow moment of a busy machine weighs on both alike. In a pool of
plain usernames and in one whose users sign in with their email address, each sample is:

| operation | one sample |
|---|---|
| USER_SRP_AUTH | InitiateAuth USER_SRP_AUTH: the PASSWORD_VERIFIER challenge (the same name every time) |
| wrong password | InitiateAuth USER_PASSWORD_AUTH with a wrong password, the first to fifth (argon2id) |
| locked out | the sixth, refused with "Password attempts exceeded" |
| ForgotPassword | a password-reset code asked for (queued for a real user; for an unknown name written, rolled back) |
| ConfirmForgotPassword | then a wrong code |
| ResendConfirmationCode | a new code for a user who signed up (unconfirmed) |

Every sample but USER_SRP_AUTH's has a user and a name of its own, so that no lock or hourly cap one reaches
changes the next. Each answer of a real user and of an unknown name is compared too (code and message, or the
same keys): any difference is reported.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.api import ApiError, CognitoClient
from bench.report import load_note, machine, write_section
from bench.runner import DEFAULT_OUTPUT, _cpus, _csv
from bench.servers import TARGETS, USERPOOL_SQLITE, Server, start
from bench.srp_client import SrpClient
from userpool.config import Argon2Params

PASSWORD = "Bench-Passw0rd!"  # noqa: S105 - every bench user's password, on a throwaway server
WRONG_PASSWORD = "Bench-Wr0ng-pass!"  # noqa: S105
POOL_KINDS = ("username", "email")
OPERATIONS = (
    "USER_SRP_AUTH",
    "wrong password",
    "locked out",
    "ForgotPassword",
    "ConfirmForgotPassword",
    "ResendConfirmationCode",
)
LOW, HIGH = 0.9, 1.1
FREE_FAILURES = 5  # wrong passwords answered before the lockout's (model/lockout.py)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench existence", description=__doc__.split("\n")[0])
    p.add_argument("--target", choices=[t for t in TARGETS if t != "moto"], default=USERPOOL_SQLITE)
    p.add_argument("--server-cpus", default="0", help="CPUs the server is pinned to")
    p.add_argument("--argon2", choices=("owasp", "fast"), default="owasp", help="our server's argon2id cost")
    p.add_argument("--operations", default=",".join(OPERATIONS), help="comma-separated, default all")
    p.add_argument("--pools", default=",".join(POOL_KINDS), help="pool kinds, comma-separated: username, email")
    p.add_argument("--samples", type=int, default=60, help="measured samples per operation, pool and side")
    p.add_argument("--warmup", type=int, default=3, help="unmeasured samples before them")
    p.add_argument(
        "--output",
        default=str(DEFAULT_OUTPUT),
        help="Markdown page whose 'existence' section is rewritten ('-': print only; default docs/benchmarks.md)",
    )
    return p


@dataclass
class Timing:
    """One operation in one pool: the latencies (ms) of the real user's requests and of the unknown name's,
    and the answers each got (an error's code and message, or the answer's keys)."""

    operation: str
    kind: str
    real: list[float] = field(default_factory=list)
    unknown: list[float] = field(default_factory=list)
    answers: dict[str, set[str]] = field(default_factory=lambda: {"real": set(), "unknown": set()})

    @property
    def ratio(self) -> float:
        return statistics.median(self.real) / statistics.median(self.unknown)

    @property
    def alike(self) -> bool:
        return self.answers["real"] == self.answers["unknown"]

    @property
    def ok(self) -> bool:
        return LOW <= self.ratio <= HIGH and self.alike


def _answer(result: dict[str, Any] | ApiError) -> str:
    if isinstance(result, ApiError):
        return f"{result.code}: {result.message}"
    challenge = result.get("ChallengeName")
    if challenge:
        return f"{challenge} ({', '.join(sorted(result.get('ChallengeParameters', {})))})"
    return ", ".join(sorted(result))


Call = Callable[[CognitoClient, str], Awaitable[dict[str, Any]]]


class Pool:
    """A pool of one kind, its hiding app client, and names for real users and unknown ones, of equal length."""

    def __init__(self, kind: str, pool_id: str, client_id: str) -> None:
        self.kind = kind
        self.pool_id = pool_id
        self.client_id = client_id

    def name(self, side: str, group: str, n: int) -> str:
        local = f"{'r' if side == 'real' else 'u'}{group}{n:05d}"
        return f"{local}@example.com" if self.kind == "email" else local

    def email(self, name: str) -> str:
        return name if self.kind == "email" else f"{name}@example.com"


class Existence:
    def __init__(self, server: Server, samples: int, warmup: int, operations: list[str]) -> None:
        self.server = server
        self.samples = samples
        self.warmup = warmup
        self.operations = operations
        self.client = CognitoClient(server.endpoint)
        self.timings: list[Timing] = []

    async def admin(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        return await self.client.call(operation, params, signed=True)

    # Set-up, not measured.

    async def pool(self, kind: str) -> Pool:
        config: dict[str, Any] = {"PoolName": f"existence-{kind}", "AutoVerifiedAttributes": ["email"]}
        if kind == "email":
            config["UsernameAttributes"] = ["email"]
        pool_id = (await self.admin("CreateUserPool", config))["UserPool"]["Id"]
        flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        created = await self.admin(
            "CreateUserPoolClient",
            {
                "UserPoolId": pool_id,
                "ClientName": "existence",
                "ExplicitAuthFlows": flows,
                "PreventUserExistenceErrors": "ENABLED",
            },
        )
        return Pool(kind, pool_id, created["UserPoolClient"]["ClientId"])

    async def confirmed(self, pool: Pool, name: str) -> None:
        attributes = [{"Name": "email", "Value": pool.email(name)}, {"Name": "email_verified", "Value": "true"}]
        await self.admin(
            "AdminCreateUser",
            {"UserPoolId": pool.pool_id, "Username": name, "MessageAction": "SUPPRESS", "UserAttributes": attributes},
        )
        await self.admin(
            "AdminSetUserPassword",
            {"UserPoolId": pool.pool_id, "Username": name, "Password": PASSWORD, "Permanent": True},
        )

    async def signed_up(self, pool: Pool, name: str) -> None:
        await self.client.call(
            "SignUp",
            {
                "ClientId": pool.client_id,
                "Username": name,
                "Password": PASSWORD,
                "UserAttributes": [{"Name": "email", "Value": pool.email(name)}],
            },
        )

    # Measuring.

    async def _timed(self, timing: Timing, side: str, call: Call, name: str, measured: bool) -> None:
        started = time.perf_counter()
        try:
            result: dict[str, Any] | ApiError = await call(self.client, name)
        except ApiError as error:
            result = error
        elapsed = (time.perf_counter() - started) * 1000
        if measured:
            (timing.real if side == "real" else timing.unknown).append(elapsed)
            timing.answers[side].add(_answer(result))

    async def pairs(self, timing: Timing, calls: list[tuple[Call, str, str]], sample: int) -> None:
        """``calls`` (call, real name, unknown name) in turn, each for both sides: the real user first in even
        samples, the unknown name first in odd ones (ABBA). Measured past the warm-up, for the operations
        asked for."""
        measured = sample >= self.warmup and timing.operation in self.operations
        for call, real, unknown in calls:
            sides = [("real", real), ("unknown", unknown)]
            for side, name in sides if sample % 2 == 0 else reversed(sides):
                await self._timed(timing, side, call, name, measured)

    async def run_pool(self, kind: str) -> None:
        pool = await self.pool(kind)
        total = self.samples + self.warmup
        print(f"[existence] {kind} pool {pool.pool_id}: creating {3 * total + 1} users", flush=True)
        await self.confirmed(pool, pool.name("real", "s", 0))
        for n in range(total):
            await self.confirmed(pool, pool.name("real", "p", n))
            await self.confirmed(pool, pool.name("real", "f", n))
            await self.signed_up(pool, pool.name("real", "c", n))
        client_id = pool.client_id
        srp = SrpClient(pool.pool_id, PASSWORD)

        async def srp_step(client: CognitoClient, name: str) -> dict[str, Any]:
            _, srp_a = srp.start()
            params = {"USERNAME": name, "SRP_A": srp_a}
            return await client.call(
                "InitiateAuth", {"ClientId": client_id, "AuthFlow": "USER_SRP_AUTH", "AuthParameters": params}
            )

        async def password(client: CognitoClient, name: str) -> dict[str, Any]:
            params = {"USERNAME": name, "PASSWORD": WRONG_PASSWORD}
            return await client.call(
                "InitiateAuth", {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": params}
            )

        async def forgot(client: CognitoClient, name: str) -> dict[str, Any]:
            return await client.call("ForgotPassword", {"ClientId": client_id, "Username": name})

        async def confirm(client: CognitoClient, name: str) -> dict[str, Any]:
            params = {"ClientId": client_id, "Username": name, "ConfirmationCode": "000000", "Password": PASSWORD}
            return await client.call("ConfirmForgotPassword", params)

        async def resend(client: CognitoClient, name: str) -> dict[str, Any]:
            return await client.call("ResendConfirmationCode", {"ClientId": client_id, "Username": name})

        timings = {operation: Timing(operation, kind) for operation in OPERATIONS}
        wanted = set(self.operations)
        for n in range(total):
            if "USER_SRP_AUTH" in wanted:
                real, unknown = pool.name("real", "s", 0), pool.name("unknown", "s", 0)
                await self.pairs(timings["USER_SRP_AUTH"], [(srp_step, real, unknown)], n)
            if wanted & {"wrong password", "locked out"}:
                real, unknown = pool.name("real", "p", n), pool.name("unknown", "p", n)
                await self.pairs(timings["wrong password"], [(password, real, unknown)] * FREE_FAILURES, n)
                await self.pairs(timings["locked out"], [(password, real, unknown)], n)
            if wanted & {"ForgotPassword", "ConfirmForgotPassword"}:
                real, unknown = pool.name("real", "f", n), pool.name("unknown", "f", n)
                await self.pairs(timings["ForgotPassword"], [(forgot, real, unknown)], n)
                await self.pairs(timings["ConfirmForgotPassword"], [(confirm, real, unknown)], n)
            if "ResendConfirmationCode" in wanted:
                real, unknown = pool.name("real", "c", n), pool.name("unknown", "c", n)
                await self.pairs(timings["ResendConfirmationCode"], [(resend, real, unknown)], n)
        for timing in (timings[operation] for operation in OPERATIONS if operation in wanted):
            self.timings.append(timing)
            print(
                f"[existence] {kind}: {timing.operation}: real p50 {statistics.median(timing.real):.2f} ms, "
                f"unknown p50 {statistics.median(timing.unknown):.2f} ms, ratio {timing.ratio:.3f}"
                + ("" if timing.alike else f"; answers differ: {timing.answers}"),
                flush=True,
            )

    def close(self) -> None:
        self.client.close()


@dataclass
class Result:
    command: str
    args: argparse.Namespace
    timings: list[Timing]
    started: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]


async def measure(args: argparse.Namespace) -> list[Timing]:
    argon2 = Argon2Params() if args.argon2 == "owasp" else Argon2Params.fast()
    available = os.sched_getaffinity(0)
    server_cpus = _cpus(args.server_cpus)
    with start(args.target, server_cpus, argon2=argon2) as server:
        os.sched_setaffinity(0, (available - server_cpus) or available)
        bench = Existence(server, args.samples, args.warmup, _csv(args.operations))
        try:
            for kind in _csv(args.pools):
                await bench.run_pool(kind)
        finally:
            bench.close()
            os.sched_setaffinity(0, available)
    return bench.timings


def verdicts(timings: list[Timing]) -> list[str]:
    found = []
    off = [t for t in timings if not LOW <= t.ratio <= HIGH]
    differ = [t for t in timings if not t.alike]
    ratios = [t.ratio for t in timings]
    span = f"{min(ratios):.3f}-{max(ratios):.3f}" if ratios else "-"
    if off:
        names = ", ".join(f"{t.operation} ({t.kind}, {t.ratio:.3f})" for t in off)
        found.append(f"Median ratio real/unknown from {span}; outside {LOW}-{HIGH}: {names} (MISS).")
    else:
        found.append(f"Median ratio real/unknown from {span}: every operation within {LOW}-{HIGH} (ok).")
    for t in differ:
        found.append(
            f"{t.operation} ({t.kind}): the answers differ: real {sorted(t.answers['real'])}, "
            f"unknown {sorted(t.answers['unknown'])} (MISS)."
        )
    if not differ:
        found.append("Every answer to an unknown name was the one the real user got (same error, same keys).")
    return found


def markdown(result: Result) -> str:
    """The ``existence`` section of docs/benchmarks.md."""
    args = result.args
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(result.started))
    lines = [
        "## Hidden users",
        "",
        f"`{result.command}` — {args.target} pinned to CPU {args.server_cpus}, argon2id {args.argon2}, "
        f"{args.samples} samples of each side per row after {args.warmup} unmeasured, {when}; {machine()}. "
        f"{load_note(result.load_before, result.load_after)} The real and unknown requests of a row alternate, "
        "so the ratio is the steadier figure.",
        "",
        "Where an app client hides which users exist (PreventUserExistenceErrors ENABLED), what a real user and "
        "a name no user has cost: the median latency of each operation as the client saw it, one request at a "
        "time, real and unknown alternating (ABBA), and the ratio of the two medians, which must stay within "
        f"{LOW}-{HIGH} (see `bench/existence.py` for what each sample is).",
        "",
        "| operation | pool | answer (both) | real p50 ms | unknown p50 ms | real/unknown | ok |",
        "|---|---|---|---:|---:|---:|---|",
    ]
    for t in result.timings:
        answer = "; ".join(sorted(t.answers["real"])) if t.alike else "differ"
        lines.append(
            f"| {t.operation} | {t.kind} | {answer} | {statistics.median(t.real):.2f} | "
            f"{statistics.median(t.unknown):.2f} | {t.ratio:.3f} | {'ok' if t.ok else 'MISS'} |"
        )
    lines += ["", *(f"- {line}" for line in verdicts(result.timings))]
    return "\n".join(lines) + "\n"


def run(argv: list[str]) -> Result:
    args = parser().parse_args(argv)
    if args.samples < 1 or args.warmup < 0:
        parser().error("--samples must be at least 1, --warmup at least 0")
    unknown = set(_csv(args.operations)) - set(OPERATIONS) or set(_csv(args.pools)) - set(POOL_KINDS)
    if unknown:
        parser().error(f"unknown operations or pool kinds: {', '.join(sorted(unknown))}")
    started, load_before = time.time(), os.getloadavg()
    timings = asyncio.run(measure(args))
    command = shlex.join(["python", "-m", "bench", "existence", *argv])
    result = Result(command, args, timings, started, load_before, os.getloadavg())
    text = markdown(result)
    print(text)
    if args.output != "-":
        write_section(Path(args.output), "existence", text)
        print(f"written to {args.output} (section 'existence')")
    return result
