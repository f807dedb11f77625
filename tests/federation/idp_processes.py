"""The identity providers the federation tests sign in through, run as processes of their own: each is one
of the scripts in idps/ (glue around a real provider library), started on a loopback port it picks itself,
configured by the JSON in IDP_CONFIG, and ready once it prints one JSON line naming its base URL."""

from __future__ import annotations

import json
import os
import secrets
import select
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

IDPS = Path(__file__).parent / "idps"
STARTUP_SECONDS = 30.0


@contextmanager
def idp_process(argv: Sequence[str], config: Mapping[str, Any], log_dir: Path) -> Iterator[str]:
    """Run ``argv`` with ``config`` in IDP_CONFIG until the block ends; the base URL (issuer) it prints."""
    log_path = log_dir / f"{Path(argv[-1]).stem}.{secrets.token_hex(4)}.log"
    env = {**os.environ, "IDP_CONFIG": json.dumps(config)}
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
            raise RuntimeError(f"{argv[-1]} did not start:\n{log_path.read_text(errors='replace')[-2000:]}")
        yield str(json.loads(line)["issuer"])
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()


@contextmanager
def node_idp(script: str, config: Mapping[str, Any], log_dir: Path) -> Iterator[str]:
    """Run the Node.js glue ``idps/<script>`` with ``config`` until the block ends; its issuer URL."""
    with idp_process(["node", str(IDPS / script)], config, log_dir) as issuer:
        yield issuer
