"""Tokens (the AWS documentation's "Using tokens with user pools"): GetTokensFromRefreshToken, RevokeToken,
GlobalSignOut and AdminUserGlobalSignOut, GetClientToken and GetDerivedToken, and, for every other area,
issuing tokens and checking access tokens.

The modules at the top of the package answer Cognito operations. ``steps/`` holds issuing and checking
tokens, the PreTokenGeneration trigger around issuing, and the pools' signing keys with the JWKS and OIDC
discovery documents; none answers an operation.
"""
