"""Cognito's error types: one class per ``__type`` the API can put on the wire.

Services raise these; only ``api/`` turns them into ``{"__type", "message"}`` (HTTP 400, or 500 for faults).
A test checks every model-declared name against botocore's cognito-idp and cognito-identity models (identity
pools share most of their error types with user pools: InvalidParameterException, NotAuthorizedException, ...).

    CognitoError
     ├── <one subclass per exception shape of the model>   (status 400; InternalError/InternalServer: 500)
     └── <protocol errors Cognito's front door sends>        UnknownOperationException, SerializationException,
                                                           MissingAuthenticationTokenException,
                                                           UnrecognizedClientException, InvalidSignatureException
"""

from __future__ import annotations

from typing import Any, ClassVar


class CognitoError(Exception):
    """Base of every error with a Cognito ``__type``; ``code`` is the class name."""

    code: ClassVar[str] = "CognitoError"
    status: ClassVar[int] = 400
    default_message: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.code = cls.__name__

    def __init__(self, message: str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(self.message)

    def to_wire(self) -> dict[str, Any]:
        """The JSON body AWS JSON 1.1 uses for this error."""
        return {"__type": self.code, "message": self.message}


class InvalidParameterException(CognitoError):
    """Bad input: model constraint violations and semantic parameter errors."""

    def __init__(self, message: str | None = None, reason_code: str | None = None) -> None:
        super().__init__(message)
        self.reason_code = reason_code

    def to_wire(self) -> dict[str, Any]:
        body = super().to_wire()
        if self.reason_code:
            body["reasonCode"] = self.reason_code
        return body


class AccessDeniedException(CognitoError):
    pass


class AliasExistsException(CognitoError):
    pass


class CachedCIMDURLDoesNotExistException(CognitoError):
    pass


class CodeDeliveryFailureException(CognitoError):
    pass


class CodeMismatchException(CognitoError):
    default_message = "Invalid verification code provided, please try again."


class ConcurrentModificationException(CognitoError):
    pass


class DeveloperUserAlreadyRegisteredException(CognitoError):
    pass


class DeviceKeyExistsException(CognitoError):
    pass


class DuplicateProviderException(CognitoError):
    pass


class EnableSoftwareTokenMFAException(CognitoError):
    pass


class ExpiredCodeException(CognitoError):
    default_message = "Invalid code provided, please request a code again."


class ExternalServiceException(CognitoError):
    pass


class FeatureUnavailableInTierException(CognitoError):
    pass


class ForbiddenException(CognitoError):
    pass


class GroupExistsException(CognitoError):
    default_message = "A group with the name already exists."


class InternalErrorException(CognitoError):
    status = 500
    default_message = "An internal error occurred."


class InternalServerException(CognitoError):
    status = 500
    default_message = "An internal error occurred."


class InvalidEmailRoleAccessPolicyException(CognitoError):
    pass


class InvalidIdentityPoolConfigurationException(CognitoError):
    default_message = "Invalid identity pool configuration. Check assigned IAM roles for this pool."


class InvalidLambdaResponseException(CognitoError):
    pass


class InvalidOAuthFlowException(CognitoError):
    pass


class InvalidPasswordException(CognitoError):
    pass


class InvalidSmsRoleAccessPolicyException(CognitoError):
    pass


class InvalidSmsRoleTrustRelationshipException(CognitoError):
    pass


class InvalidUserPoolConfigurationException(CognitoError):
    pass


class LimitExceededException(CognitoError):
    default_message = "Attempt limit exceeded, please try after some time."


class MFAMethodNotFoundException(CognitoError):
    pass


class ManagedLoginBrandingExistsException(CognitoError):
    pass


class NotAuthorizedException(CognitoError):
    default_message = "Incorrect username or password."


class OperationNotEnabledException(CognitoError):
    pass


class PasswordHistoryPolicyViolationException(CognitoError):
    pass


class PasswordResetRequiredException(CognitoError):
    default_message = "Password reset required for the user"


class PreconditionNotMetException(CognitoError):
    pass


class RefreshTokenReuseException(CognitoError):
    pass


class ResourceConflictException(CognitoError):
    pass


class ResourceNotFoundException(CognitoError):
    pass


class ScopeDoesNotExistException(CognitoError):
    pass


class ServiceQuotaExceededException(CognitoError):
    pass


class SoftwareTokenMFANotFoundException(CognitoError):
    pass


class TermsExistsException(CognitoError):
    pass


class TierChangeNotAllowedException(CognitoError):
    pass


class TooManyFailedAttemptsException(CognitoError):
    pass


class TooManyRequestsException(CognitoError):
    default_message = "Too many requests."


class UnauthorizedException(CognitoError):
    pass


class UnexpectedLambdaException(CognitoError):
    pass


class UnsupportedIdentityProviderException(CognitoError):
    pass


class UnsupportedOperationException(CognitoError):
    pass


class UnsupportedTokenTypeException(CognitoError):
    pass


class UnsupportedUserStateException(CognitoError):
    pass


class UserImportInProgressException(CognitoError):
    pass


class UserLambdaValidationException(CognitoError):
    pass


class UserNotConfirmedException(CognitoError):
    default_message = "User is not confirmed."


class UserNotFoundException(CognitoError):
    default_message = "User does not exist."


class UserPoolAddOnNotEnabledException(CognitoError):
    pass


class UserPoolTaggingException(CognitoError):
    pass


class UsernameExistsException(CognitoError):
    default_message = "User account already exists"


class WebAuthnChallengeNotFoundException(CognitoError):
    pass


class WebAuthnClientMismatchException(CognitoError):
    pass


class WebAuthnConfigurationMissingException(CognitoError):
    pass


class WebAuthnCredentialNotSupportedException(CognitoError):
    pass


class WebAuthnNotEnabledException(CognitoError):
    pass


class WebAuthnOriginNotAllowedException(CognitoError):
    pass


class WebAuthnRelyingPartyMismatchException(CognitoError):
    pass


# Errors of the AWS front door rather than of the models.


class UnknownOperationException(CognitoError):
    pass


class SerializationException(CognitoError):
    pass


class MissingAuthenticationTokenException(CognitoError):
    default_message = "Missing Authentication Token"


class UnrecognizedClientException(CognitoError):
    default_message = "The security token included in the request is invalid."


class InvalidSignatureException(CognitoError):
    pass


class IncompleteSignatureException(CognitoError):
    pass


class ValidationException(CognitoError):
    """cognito-identity's answer to a request that does not fit its model ("1 validation error detected: ..."),
    where cognito-idp answers InvalidParameterException."""


PROTOCOL_ERRORS: tuple[type[CognitoError], ...] = (
    UnknownOperationException,
    SerializationException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
    InvalidSignatureException,
    IncompleteSignatureException,
    ValidationException,
)
