"""The steps of federation, which answer no operation. The server's side of the conversation with an identity
provider, as a relying party: discovery, the provider's signing keys, the code exchange, ID token verification
and the attributes call; each of those takes plain values (URLs, client ID, secrets, the expected nonce), not an
identity-provider record, and fails with an ``idp_errors.IdpError``. Then what a verified answer does to the
pool's directory (``federated_users``): the user it signs in, made or found, and the identities kept with it.
``provider_records`` builds the records Create/UpdateIdentityProvider store."""
