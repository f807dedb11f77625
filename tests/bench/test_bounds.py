"""The bounds `bench run` reports beside the sign-in rows: the CPU a computation takes is counted wherever it
runs, so a per-core figure is one the server could at best reach."""

from __future__ import annotations

from bench.bounds import measure

from userpool.config import Argon2Params


def test_bounds__count_the_cpu_of_argon2id_on_the_hashers_thread() -> None:
    bounds = {b.name: b for b in measure(Argon2Params(), calls=3)}
    for name in ("argon2id hash", "argon2id verify", "SRP modexp", "SRP math per sign-in"):
        bound = bounds[name]
        # The work is all CPU, one call at a time: its CPU is a good share of its time however busy the machine
        # (the caller's own thread, which only waits for argon2id, used a five-hundredth of it).
        assert bound.cpu_ms > 0.1 * bound.p50_ms, bound
