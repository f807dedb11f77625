"""What a pool's domain serves beyond the Cognito API (the AWS documentation's "User pool managed login" and
"User pool endpoints"): the OAuth 2.0 endpoints ``/oauth2/authorize``, ``/oauth2/token``,
``/oauth2/userInfo`` and ``/oauth2/revoke`` (RFC 6749), and what the hosted sign-in pages ask of the pool.

No Cognito operation is answered here: every module is one that ``oauth/`` or ``web/login/`` calls, and they
reach the operations of the other areas through their functions.
"""
