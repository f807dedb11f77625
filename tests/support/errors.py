"""What a Cognito error looks like to a boto3 caller."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


def fails(call: Any, **kwargs: Any) -> tuple[str, str]:
    """Call ``call(**kwargs)``, expect an HTTP 400 ClientError, and return its code and message."""
    with pytest.raises(ClientError) as exc:
        call(**kwargs)
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]
