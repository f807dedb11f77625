"""Calling an operation as the API does, without HTTP: nulls dropped, the input validated against botocore's
model (so the errors are the API's, word for word), then the same service function. The admin console
makes its changes through this, so it can never accept what boto3 would be refused, or disagree with it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from userpool.api import shapes
from userpool.api.service_model import input_shape
from userpool.context import Ctx
from userpool.errors import UnsupportedOperationException
from userpool.model.pool_config import without_nulls
from userpool.services.registry import Service

Invoke = Callable[[Ctx, str, dict[str, Any]], dict[str, Any]]


def make_invoke(table: dict[str, Service]) -> Invoke:
    def invoke(ctx: Ctx, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        cleaned: dict[str, Any] = without_nulls(params)
        shapes.validate(input_shape(operation), cleaned)
        service = table.get(operation)
        if service is None:
            raise UnsupportedOperationException(f"{operation} is not implemented by userpool yet.")
        return service(ctx, cleaned)

    return invoke
