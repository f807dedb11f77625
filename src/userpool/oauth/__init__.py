"""OAuth2 / OIDC entry points: discovery and keys now, the pool-domain endpoints later (design §1)."""
