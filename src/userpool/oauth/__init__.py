"""OAuth2 / OIDC endpoints of the pool domain, discovery and keys (docs/architecture.md, What runs; Cognito developer
guide: 'User pool endpoints and managed login reference')."""
