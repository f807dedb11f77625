"""Federation: sign-in through external identity providers (OIDC, SAML 2.0, Google, Facebook, Login with
Amazon, Sign in with Apple) and the identity-provider records of a pool.

The modules at the top of this package answer Cognito operations (``providers``: CreateIdentityProvider ...
ListIdentityProviders, GetIdentityProviderByIdentifier; ``links``: AdminLinkProviderForUser,
AdminDisableProviderForUser); ``steps/`` holds what they and the sign-in flows are built from.
"""
