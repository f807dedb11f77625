"""The identity providers the federation tests sign in through, run as processes of their own: each is one
of the scripts in idps/ (glue around a real provider library), started on a loopback port it picks itself,
configured by the JSON in IDP_CONFIG, and ready once it prints one JSON line naming its base URL."""

from __future__ import annotations

import json
import os
import secrets
import select
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

IDPS = Path(__file__).parent / "idps"
STARTUP_SECONDS = 30.0


ATTEMPTS = 2


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            pipe.close()


def _start(argv: Sequence[str], env: Mapping[str, str], log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The process and the base URL it printed; RuntimeError, the process stopped, if it printed none."""
    started = time.monotonic()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            list(argv),
            env=env,
            # The provider exits when this pipe closes: when the test run ends, however it ends.
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            cwd=IDPS.parent,
        )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], STARTUP_SECONDS)
        line = process.stdout.readline() if ready else b""
        if not line:
            # Why it printed nothing is in what it wrote to stderr, its exit status and how long it took.
            raise RuntimeError(
                f"{argv[-1]} did not start (exit status {process.poll()}, after"
                f" {time.monotonic() - started:.1f} s):\n{log_path.read_text(errors='replace')[-2000:]}"
            )
        return process, str(json.loads(line)["issuer"])
    except BaseException:
        _stop(process)
        raise


@contextmanager
def idp_process(argv: Sequence[str], config: Mapping[str, Any], log_dir: Path) -> Iterator[str]:
    """Run ``argv`` with ``config`` in IDP_CONFIG until the block ends; the base URL (issuer) it prints.

    A provider that prints nothing is started once more: on a loaded machine a start has been seen to end
    silently, and the tests are about what the provider does once it runs."""
    env = {**os.environ, "IDP_CONFIG": json.dumps(config)}
    failures: list[str] = []
    for _ in range(ATTEMPTS):
        log_path = log_dir / f"{Path(argv[-1]).stem}.{secrets.token_hex(4)}.log"
        try:
            process, issuer = _start(argv, env, log_path)
        except RuntimeError as failure:
            failures.append(str(failure))
            continue
        try:
            yield issuer
        finally:
            _stop(process)
        return
    raise RuntimeError("\n".join(failures))


@contextmanager
def node_idp(script: str, config: Mapping[str, Any], log_dir: Path) -> Iterator[str]:
    """Run the Node.js glue ``idps/<script>`` with ``config`` until the block ends; its issuer URL."""
    with idp_process(["node", str(IDPS / script)], config, log_dir) as issuer:
        yield issuer
