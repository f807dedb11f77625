"""``python -m bench run [options]``: see bench/runner.py, or ``python -m bench run --help``;
``python -m bench memory [options]``: see bench/memory.py."""

from __future__ import annotations

import sys

from bench.runner import run


def main(argv: list[str]) -> int:
    if argv and argv[0] == "memory":
        from bench.memory import run as memory

        memory(argv[1:])
        return 0
    if not argv or argv[0] != "run":
        print("usage: python -m bench run|memory [options]   (python -m bench run --help)", file=sys.stderr)
        return 2
    run(argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
