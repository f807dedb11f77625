"""OAuth2 / OIDC endpoints of the pool domain, discovery and keys (design §1; spec oauth-hosted-ui)."""
