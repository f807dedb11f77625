"""userpool.errors against the exception shapes of botocore's cognito-idp and cognito-identity models
(docs/architecture.md, Errors): the two share their common error types."""

from __future__ import annotations

import inspect

import botocore.loaders
import pytest

from userpool import errors
from userpool.errors import PROTOCOL_ERRORS, CognitoError

MODELS = [botocore.loaders.Loader().load_service_model(s, "service-2") for s in ("cognito-idp", "cognito-identity")]
EXCEPTION_SHAPES = {
    name: shape for model in MODELS for name, shape in model["shapes"].items() if shape.get("exception")
}
ERROR_CLASSES = {
    name: cls
    for name, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, CognitoError) and cls is not CognitoError
}


def test_errors__model_has_exception_shapes() -> None:
    assert len(EXCEPTION_SHAPES) >= 50
    assert {"ExternalServiceException", "DeveloperUserAlreadyRegisteredException"} <= set(EXCEPTION_SHAPES)


def test_errors__shared_names_agree_on_faults() -> None:
    # A type both models declare is one class here: it must be a fault in both or in neither.
    for name in EXCEPTION_SHAPES:
        faults = {bool(m["shapes"][name].get("fault")) for m in MODELS if name in m["shapes"]}
        assert len(faults) == 1, name


@pytest.mark.parametrize("name", sorted(set(ERROR_CLASSES) - {c.__name__ for c in PROTOCOL_ERRORS}))
def test_errors__every_class_is_a_model_exception(name: str) -> None:
    assert name in EXCEPTION_SHAPES


@pytest.mark.parametrize("name", sorted(EXCEPTION_SHAPES))
def test_errors__every_model_exception_has_a_class(name: str) -> None:
    assert name in ERROR_CLASSES
    assert ERROR_CLASSES[name].code == name


@pytest.mark.parametrize("name", sorted(EXCEPTION_SHAPES))
def test_errors__status_500_exactly_for_faults(name: str) -> None:
    fault = EXCEPTION_SHAPES[name].get("fault", False)
    assert (ERROR_CLASSES[name].status == 500) == fault
    assert ERROR_CLASSES[name]().to_wire()["__type"] == name


@pytest.mark.parametrize("cls", PROTOCOL_ERRORS, ids=lambda c: c.__name__)
def test_errors__protocol_errors_are_client_errors_outside_the_model(cls: type[CognitoError]) -> None:
    assert cls.__name__ not in EXCEPTION_SHAPES
    assert cls.status == 400
