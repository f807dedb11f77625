"""Calling an operation as the API does, without HTTP: nulls dropped, the input validated against botocore's
model (so the errors are the API's, word for word), then the same service function. The admin console
makes its changes through this, so it can never accept what boto3 would be refused, or disagree with it.

An operation is named as ``X-Amz-Target`` names it (``AWSCognitoIdentityService.CreateIdentityPool`` for identity
pools), or, for user pools, by its name alone (``CreateUserPool``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from userpool.api import shapes
from userpool.api.service_model import COGNITO_IDENTITY, COGNITO_IDP, ApiModel
from userpool.context import Ctx
from userpool.errors import UnsupportedOperationException
from userpool.model.pool_config import without_nulls
from userpool.services.registry import Service

Invoke = Callable[[Ctx, str, dict[str, Any]], dict[str, Any]]


def make_invoke(table: dict[str, Service], identity_table: dict[str, Service] | None = None) -> Invoke:
    """``table``: cognito-idp's operations; ``identity_table``: cognito-identity's."""
    apis: dict[str, tuple[ApiModel, dict[str, Service]]] = {
        COGNITO_IDP.target_prefix: (COGNITO_IDP, table),
        COGNITO_IDENTITY.target_prefix: (COGNITO_IDENTITY, identity_table or {}),
    }

    def invoke(ctx: Ctx, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        prefix, dot, name = operation.rpartition(".")
        model, found = apis[prefix + dot] if dot else (COGNITO_IDP, table)
        cleaned: dict[str, Any] = without_nulls(params)
        shapes.validate(model.input_shape(name), cleaned, model)
        service = found.get(name)
        if service is None:
            raise UnsupportedOperationException(f"{name} is not implemented by userpool yet.")
        return service(ctx, cleaned)

    return invoke
