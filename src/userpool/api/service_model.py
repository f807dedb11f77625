"""botocore's service models: the authoritative list of operations, members and constraints of each AWS JSON 1.1
service the endpoint answers. ``cognito-idp`` (user pools) and ``cognito-identity`` (identity pools) share the
endpoint; ``X-Amz-Target``'s prefix says which one a request is for.

The module-level functions are cognito-idp's, as most of the server names them; ``ApiModel`` is either.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import botocore.loaders

from userpool.errors import CognitoError, InvalidParameterException, ValidationException


class ApiModel:
    """One service of botocore's data: its operations, shapes, target prefix, SigV4 signing name, and which of its
    operations are called without a signature."""

    def __init__(
        self,
        service: str,
        target_prefix: str,
        validation_error: type[CognitoError],
        client_authorized: frozenset[str] = frozenset(),
        signature_optional: frozenset[str] = frozenset(),
    ) -> None:
        self.service = service
        # "AWSCognitoIdentityProviderService.": X-Amz-Target is this and the operation's name.
        self.target_prefix = target_prefix
        # The error a request that does not fit the model gets (api/shapes.py).
        self.validation_error = validation_error
        self._client_authorized = client_authorized
        self._signature_optional = signature_optional

    @cached_property
    def model(self) -> dict[str, Any]:
        model: dict[str, Any] = botocore.loaders.Loader().load_service_model(self.service, "service-2")
        return model

    @property
    def signing_name(self) -> str:
        """The service name of a SigV4 credential scope (``.../cognito-identity/aws4_request``)."""
        return str(self.model["metadata"].get("signingName") or self.model["metadata"]["endpointPrefix"])

    def operations(self) -> dict[str, Any]:
        ops: dict[str, Any] = self.model["operations"]
        return ops

    def shapes(self) -> dict[str, Any]:
        result: dict[str, Any] = self.model["shapes"]
        return result

    def is_unsigned(self, operation: str) -> bool:
        """Operations the model marks ``authtype: none`` (SDKs send them without a signature), and those that only
        the app client's secret authorizes."""
        return operation in self._client_authorized or bool(self.operations()[operation].get("authtype") == "none")

    def signature_optional(self, operation: str) -> bool:
        """Operations authorized either by a signature or by the app client's secret."""
        return operation in self._signature_optional

    def input_shape(self, operation: str) -> str | None:
        spec = self.operations()[operation].get("input")
        return spec["shape"] if spec else None

    def _nesting(self, name: str, enclosing: frozenset[str]) -> int:
        """How many JSON objects and arrays deep a value of shape ``name`` goes (a shape that contains itself is
        counted once)."""
        shape = self.shapes()[name]
        if name in enclosing:
            return 0
        inner = enclosing | {name}
        kind = shape["type"]
        if kind == "structure":
            return 1 + max((self._nesting(m["shape"], inner) for m in shape["members"].values()), default=0)
        if kind == "list":
            return 1 + self._nesting(shape["member"]["shape"], inner)
        if kind == "map":
            return 1 + self._nesting(shape["value"]["shape"], inner)
        return 0

    @cached_property
    def deepest_input(self) -> int:
        """The deepest nesting of JSON objects and arrays any operation's input shape has (the body's own object
        counts as one)."""
        ops = self.operations()
        return max(self._nesting(shape, frozenset()) for op in ops if (shape := self.input_shape(op)) is not None)


COGNITO_IDP = ApiModel(
    "cognito-idp",
    "AWSCognitoIdentityProviderService.",
    InvalidParameterException,
    # Operations the model signs although IAM credentials do not authorize them: the app client's secret in the
    # request does (GetClientToken: "you can't use IAM credentials to authorize requests"). A signature on them is
    # not checked, as on the operations marked ``authtype: none``.
    client_authorized=frozenset({"GetClientToken"}),
    # Operations authorized by IAM credentials or by the app client's secret (GetDerivedToken: "you must have IAM
    # credentials, or you must present the requesting app client's ClientId and, if the client has a secret,
    # ClientSecret"): a request that carries a signature has it checked, one without goes unsigned.
    signature_optional=frozenset({"GetDerivedToken"}),
)
# Identity pools (Amazon Cognito Identity): the public operations (GetId, GetOpenIdToken,
# GetCredentialsForIdentity, UnlinkIdentity) are marked ``authtype: none`` in its model; the others are signed. A
# request that does not fit its model is a ValidationException there, as AWS answers.
COGNITO_IDENTITY = ApiModel("cognito-identity", "AWSCognitoIdentityService.", ValidationException)
MODELS = (COGNITO_IDP, COGNITO_IDENTITY)

SERVICE = COGNITO_IDP.service
TARGET_PREFIX = COGNITO_IDP.target_prefix


def service_model() -> dict[str, Any]:
    return COGNITO_IDP.model


def operations() -> dict[str, Any]:
    return COGNITO_IDP.operations()


def shapes() -> dict[str, Any]:
    return COGNITO_IDP.shapes()


def is_unsigned(operation: str) -> bool:
    return COGNITO_IDP.is_unsigned(operation)


def signature_optional(operation: str) -> bool:
    return COGNITO_IDP.signature_optional(operation)


def input_shape(operation: str) -> str | None:
    return COGNITO_IDP.input_shape(operation)


def deepest_input() -> int:
    return COGNITO_IDP.deepest_input
