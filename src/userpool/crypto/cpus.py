"""The CPUs a process may run on, which bound how many CPU-bound computations (argon2id, RSA signatures) it
runs at once: more only take turns on the same CPUs."""

from __future__ import annotations

import os


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity, e.g. under taskset, a container's cpuset, or the CPU
    ``serve`` places a worker on)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
