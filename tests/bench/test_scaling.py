"""``bench scaling``'s arithmetic: rounds pooled, the 2w/1w ratio, what it would be on whole cores, and the
section it writes. Measurements are made up: no server runs here."""

from __future__ import annotations

import argparse
import math

from bench.load import Measurement, pooled
from bench.memory import growth, verdicts
from bench.report import Row
from bench.scaling import GOAL, markdown, pairs


def _m(
    requests: int,
    seconds: float,
    server_cpu_s: float,
    client_cpu_s: float = 0.0,
    cpus_busy_s: float | None = None,
    errors: int = 0,
) -> Measurement:
    return Measurement(
        requests=requests,
        errors=errors,
        seconds=seconds,
        latencies_ms=[float(n) for n in range(1, requests + 1)],
        server_cpu_s=server_cpu_s,
        server_system_s=0.0,
        database_cpu_s=None,
        client_cpu_s=client_cpu_s,
        error_kinds={"ThrottlingException": errors} if errors else {},
        cpus_busy_s=cpus_busy_s,
    )


def test_pooled__sums_the_windows_so_rates_are_totals_over_total_time() -> None:
    m = pooled([_m(100, 10.0, 9.0, cpus_busy_s=10.0, errors=1), _m(300, 10.0, 10.0, cpus_busy_s=10.0, errors=2)])

    assert (m.requests, m.errors, m.seconds) == (400, 3, 20.0)
    assert m.per_second == 20.0
    assert m.server_busy == 0.95
    assert m.cpus_busy_s == 20.0
    assert m.error_kinds == {"ThrottlingException": 3}
    assert len(m.latencies_ms) == 400 and m.latencies_ms == sorted(m.latencies_ms)


def test_pooled__busy_time_unknown_in_any_window_is_unknown() -> None:
    assert pooled([_m(1, 1.0, 1.0, cpus_busy_s=1.0), _m(1, 1.0, 1.0)]).cpus_busy_s is None


def test_pairs__ratio_projection_and_what_other_work_took() -> None:
    # 1 worker: 400 req/s on a whole core at 2.5 ms/req. 2 workers: 600 req/s on 1.5 cores at the same
    # 2.5 ms/req, the generator using 0.2 core and other work 0.3 of the two CPUs.
    rows = {
        ("userpool-sqlite", "refresh", 1): [Row("refresh", "userpool-sqlite", _m(4000, 10.0, 10.0, 1.0, 10.0))],
        ("userpool-sqlite", "refresh", 2): [Row("refresh", "userpool-sqlite", _m(6000, 10.0, 15.0, 2.0, 20.0))],
    }

    (pair,) = pairs(rows, 2, shared=True)

    assert math.isclose(pair.ratio, 1.5)
    assert math.isclose(pair.projected, 2.0)
    assert math.isclose(pair.others(pair.one, shared=False), 0.0)
    assert math.isclose(pair.others(pair.many, shared=True), 0.3)
    assert math.isclose(pair.cores_left, 1.5)
    assert pair.verdict() == "MISS (1.50 cores left)"
    assert not pair.generator_bound


def test_pairs__a_miss_with_the_cores_free_is_the_servers() -> None:
    # 2 workers had both CPUs (nothing else ran) and spent twice the CPU per request.
    rows = {
        ("userpool-sqlite", "refresh", 1): [Row("refresh", "userpool-sqlite", _m(4000, 10.0, 10.0, 1.0, 10.0))],
        ("userpool-sqlite", "refresh", 2): [Row("refresh", "userpool-sqlite", _m(4000, 10.0, 20.0, 0.0, 20.0))],
    }

    (pair,) = pairs(rows, 2, shared=True)

    assert math.isclose(pair.projected, 1.0)
    assert pair.verdict() == "MISS"


def test_pairs__a_generator_that_takes_more_than_the_margin_is_named() -> None:
    rows = {
        ("userpool-sqlite", "get_user", 1): [Row("get_user", "userpool-sqlite", _m(10000, 10.0, 10.0, 5.0))],
        ("userpool-sqlite", "get_user", 2): [Row("get_user", "userpool-sqlite", _m(17500, 10.0, 14.0, 6.0))],
    }

    (pair,) = pairs(rows, 2, shared=True)

    assert pair.verdict() == "ok" and pair.ratio >= GOAL
    assert pair.generator_bound  # 2 - 0.6 cores left: below 1.7
    assert not pairs(rows, 2, shared=False)[0].generator_bound


def test_pairs__a_round_that_did_not_measure_leaves_the_side_empty_with_its_note() -> None:
    rows = {
        ("userpool-sqlite", "client_credentials", 1): [Row("client_credentials", "userpool-sqlite", _m(10, 1.0, 1.0))],
        ("userpool-sqlite", "client_credentials", 2): [
            Row("client_credentials", "userpool-sqlite", note="skipped: no /oauth2/token")
        ],
    }

    (pair,) = pairs(rows, 2, shared=True)

    assert pair.many is None and math.isnan(pair.ratio) and pair.verdict() == ""
    assert pair.note == "skipped: no /oauth2/token"


def test_markdown__a_table_per_placement_of_the_generator_with_both_runs() -> None:
    rows = {
        ("userpool-sqlite", "srp_login", 1): [Row("srp_login", "userpool-sqlite", _m(400, 10.0, 10.0, 0.5, 10.0))],
        ("userpool-sqlite", "srp_login", 2): [Row("srp_login", "userpool-sqlite", _m(760, 10.0, 19.0, 0.6, 19.6))],
    }
    args = argparse.Namespace(cpus="0-1", concurrency=16, warmup=2.0, seconds=10.0, rounds=1, argon2="owasp")
    tables = {
        "with-server": pairs(rows, 2, shared=True, one_shared=True),
        "apart": pairs(rows, 2, shared=True),
    }

    text = markdown("python -m bench scaling", args, tables, (1.0, 2.0))

    assert text.startswith("## Workers\n")
    with_server, apart = text.split("### The load generator on the server's CPUs")[1].split(
        "### The load generator apart"
    )
    assert "the generator on the same CPUs" in with_server and "while 1 worker had it for free" in apart
    row = "| srp_login | userpool-sqlite | 40.0 | 76.0 | 1.90x | 1.00 → 1.90 | 25.0 → 25.0 | 0.05 → 0.06 |"
    assert row in with_server and row in apart
    assert "| 2.00x | ok |" in with_server and "| 2.00x | ok |" in apart


def test_pairs__with_the_generator_on_the_server_cpus_in_both_runs_a_miss_is_the_servers() -> None:
    # The generator took 0.6 of the 2 cores: with the 1-worker run sharing its core too, that is no excuse.
    rows = {
        ("userpool-sqlite", "get_user", 1): [Row("get_user", "userpool-sqlite", _m(10000, 10.0, 7.0, 3.0, 10.0))],
        ("userpool-sqlite", "get_user", 2): [Row("get_user", "userpool-sqlite", _m(15000, 10.0, 14.0, 6.0, 20.0))],
    }

    (pair,) = pairs(rows, 2, shared=True, one_shared=True)

    assert math.isclose(pair.ratio, 1.5)
    assert pair.verdict() == "MISS"
    assert not pair.generator_bound
    assert math.isclose(pair.others(pair.one, pair.one_shared), 0.0)


def test_memory_verdicts__idle_limit_and_growth_between_the_first_and_last_sign_in_checkpoints() -> None:
    mib = 1024 * 1024
    rows = [
        ("idle", [90 * mib, 100 * mib], 40 * mib),
        ("100,000 users loaded and read", [110 * mib, 110 * mib], 40 * mib),
        ("after 10,000 sign-ins", [100 * mib, 120 * mib], 40 * mib),
        ("after 100,000 sign-ins", [110 * mib, 150 * mib], 40 * mib),
    ]

    assert math.isclose(growth(rows[2][1], rows[3][1]), 0.25)
    idle, change = verdicts(rows)
    assert idle == "Idle RSS per worker: at most 100.0 MiB (ok: <= 150 MiB)."
    assert change == "Largest per-worker growth from 10,000 sign-ins to 100,000 sign-ins: +25.0% (MISS: <= 20%)."
