"""AWS Signature Version 4 for the load generator's admin calls, as botocore computes it for AWS JSON 1.1.

Signs ``content-type;host;x-amz-date;x-amz-target`` and the body's SHA-256, the headers boto3 signs on a
``cognito-idp`` call. The signing key is derived once per day and the timestamp formatted once per second,
so a signature costs two SHA-256 and one HMAC: a few microseconds of the client's core. The servers check
it for real (our server is not run with ``--dev``).
"""

from __future__ import annotations

import hashlib
import hmac
import time

ALGORITHM = "AWS4-HMAC-SHA256"
SIGNED_HEADERS = "content-type;host;x-amz-date;x-amz-target"


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


class Signer:
    """Signs POST / requests of ``service`` in ``region`` with one access key."""

    def __init__(self, access_key_id: str, secret_access_key: str, region: str, service: str = "cognito-idp") -> None:
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key
        self.region = region
        self.service = service
        self._second = -1
        self._amz_date = ""
        self._day = ""
        self._key = b""

    def _clock(self) -> tuple[str, str]:
        now = int(time.time())
        if now != self._second:
            self._second = now
            self._amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
            day = self._amz_date[:8]
            if day != self._day:
                self._day = day
                key = _hmac(("AWS4" + self.secret_access_key).encode(), day)
                self._key = _hmac(_hmac(_hmac(key, self.region), self.service), "aws4_request")
        return self._amz_date, self._day

    def headers(self, host: str, content_type: str, target: str, body: bytes) -> list[tuple[str, str]]:
        """X-Amz-Date and Authorization for a POST of ``body`` to ``/`` on ``host`` (with its port)."""
        amz_date, day = self._clock()
        canonical = (
            f"POST\n/\n\ncontent-type:{content_type}\nhost:{host}\nx-amz-date:{amz_date}\n"
            f"x-amz-target:{target}\n\n{SIGNED_HEADERS}\n{hashlib.sha256(body).hexdigest()}"
        )
        scope = f"{day}/{self.region}/{self.service}/aws4_request"
        to_sign = f"{ALGORITHM}\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        signature = hmac.new(self._key, to_sign.encode(), hashlib.sha256).hexdigest()
        return [
            ("X-Amz-Date", amz_date),
            (
                "Authorization",
                f"{ALGORITHM} Credential={self.access_key_id}/{scope}, SignedHeaders={SIGNED_HEADERS}, "
                f"Signature={signature}",
            ),
        ]
