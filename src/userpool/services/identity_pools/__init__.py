"""Identity pools (Amazon Cognito Identity, the ``cognito-identity`` API): pools and their roles, identities and the
logins linked to them, developer-authenticated identities, OpenID tokens, and AWS credentials from STS.

The modules at the top answer cognito-identity's operations (registry.IDENTITY_OPERATION_MODULES); ``steps/``
holds what they share: finding a pool or identity, verifying a request's Logins, linking and merging identities,
signing OpenID tokens and publishing their keys, and asking STS for credentials.
"""
