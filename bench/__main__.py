"""``python -m bench <scenario> [options]``: run one benchmark scenario."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable

# The bench shares the tests' in-thread server helpers, whose module imports Starlette's test client.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")

from bench import list_users, sign_in  # noqa: E402

SCENARIOS: dict[str, Callable[[list[str]], int]] = {
    "list_users": list_users.main,
    "sign_in": sign_in.main,
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in SCENARIOS:
        print(f"usage: python -m bench {{{','.join(sorted(SCENARIOS))}}} [options]", file=sys.stderr)
        return 2
    return SCENARIOS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
