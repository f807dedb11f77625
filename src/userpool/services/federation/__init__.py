"""Federation: sign-in through external identity providers (OIDC, SAML 2.0, Google, Facebook, Login with
Amazon, Sign in with Apple) and the identity-provider records of a pool."""
