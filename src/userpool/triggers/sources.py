"""Cognito's ``triggerSource`` values: which operation fired a trigger (Cognito developer guide:
'Customizing user pool workflows with Lambda triggers', trigger sources)."""

# ruff: noqa: S105 - "Token" and "Password" here name trigger sources, not secrets

from __future__ import annotations

from enum import StrEnum


class Source(StrEnum):
    PRE_SIGN_UP_SIGN_UP = "PreSignUp_SignUp"
    PRE_SIGN_UP_ADMIN_CREATE_USER = "PreSignUp_AdminCreateUser"
    PRE_SIGN_UP_EXTERNAL_PROVIDER = "PreSignUp_ExternalProvider"
    POST_CONFIRMATION_CONFIRM_SIGN_UP = "PostConfirmation_ConfirmSignUp"
    POST_CONFIRMATION_CONFIRM_FORGOT_PASSWORD = "PostConfirmation_ConfirmForgotPassword"
    PRE_AUTHENTICATION = "PreAuthentication_Authentication"
    POST_AUTHENTICATION = "PostAuthentication_Authentication"
    DEFINE_AUTH_CHALLENGE = "DefineAuthChallenge_Authentication"
    CREATE_AUTH_CHALLENGE = "CreateAuthChallenge_Authentication"
    VERIFY_AUTH_CHALLENGE_RESPONSE = "VerifyAuthChallengeResponse_Authentication"
    TOKEN_GENERATION_AUTHENTICATION = "TokenGeneration_Authentication"
    TOKEN_GENERATION_NEW_PASSWORD_CHALLENGE = "TokenGeneration_NewPasswordChallenge"
    TOKEN_GENERATION_AUTHENTICATE_DEVICE = "TokenGeneration_AuthenticateDevice"
    TOKEN_GENERATION_REFRESH_TOKENS = "TokenGeneration_RefreshTokens"
    TOKEN_GENERATION_HOSTED_AUTH = "TokenGeneration_HostedAuth"
    TOKEN_GENERATION_CLIENT_CREDENTIALS = "TokenGeneration_ClientCredentials"
    USER_MIGRATION_AUTHENTICATION = "UserMigration_Authentication"
    USER_MIGRATION_FORGOT_PASSWORD = "UserMigration_ForgotPassword"
    INBOUND_FEDERATION = "InboundFederation_ExternalProvider"


class MessageEvent(StrEnum):
    """The operation a code or invitation message is for; the suffix of the CustomMessage_ and
    CustomEmailSender_ / CustomSMSSender_ trigger sources."""

    SIGN_UP = "SignUp"
    RESEND_CODE = "ResendCode"
    FORGOT_PASSWORD = "ForgotPassword"
    UPDATE_USER_ATTRIBUTE = "UpdateUserAttribute"
    VERIFY_USER_ATTRIBUTE = "VerifyUserAttribute"
    ADMIN_CREATE_USER = "AdminCreateUser"
    AUTHENTICATION = "Authentication"
