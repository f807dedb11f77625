"""``python -m bench run|scaling|memory|existence|breached|imports|compare [options]``: see bench/runner.py,
bench/scaling.py, bench/memory.py, bench/existence.py, bench/breached.py, bench/imports.py and bench/compare.py, or
``python -m bench <command> --help``. Each command rewrites its own section of docs/benchmarks.md."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    command, options = (argv[0], argv[1:]) if argv else ("", [])
    if command == "run":
        from bench.runner import run

        run(options)
    elif command == "scaling":
        from bench.scaling import run as scaling

        scaling(options)
    elif command == "memory":
        from bench.memory import run as memory

        memory(options)
    elif command == "existence":
        from bench.existence import run as existence

        existence(options)
    elif command == "breached":
        from bench.breached import run as breached

        breached(options)
    elif command == "imports":
        from bench.imports import run as imports

        imports(options)
    elif command == "compare":
        from bench.compare import run as compare

        compare(options)
    else:
        print(
            "usage: python -m bench run|scaling|memory|existence|breached|imports|compare [options]"
            "   (python -m bench run --help)",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
