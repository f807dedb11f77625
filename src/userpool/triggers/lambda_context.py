"""The context object a Python Lambda handler receives as its second argument.

The attributes are those of the AWS Lambda Python runtime's context, with the values a function of
128 MB at ``$LATEST`` would see; ``get_remaining_time_in_millis`` counts down to this call's timeout.
"""

from __future__ import annotations

import time
import uuid
from typing import Any


class LambdaContext:
    def __init__(self, function_name: str, invoked_function_arn: str, timeout_seconds: float) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = invoked_function_arn
        # A string, as the Lambda runtime reads it from the environment.
        self.memory_limit_in_mb = "128"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = f"{time.strftime('%Y/%m/%d', time.gmtime())}/[$LATEST]{uuid.uuid4().hex}"
        self.identity: Any = None
        self.client_context: Any = None
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))
