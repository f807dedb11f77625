"""The server's side of the conversation with an identity provider, as a relying party: discovery, the
provider's signing keys, the code exchange, ID token verification and the attributes call. Each step takes
plain values (URLs, client ID, secrets, the expected nonce), not an identity-provider record, and fails
with an ``idp_errors.IdpError``."""
