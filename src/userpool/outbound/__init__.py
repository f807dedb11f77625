"""Calls the server makes to other services on its own behalf: identity providers' token, userinfo, JWKS,
discovery and metadata endpoints. Services use the port in ``port.py``; ``app.py`` chooses the adapter."""
