"""The user pool's behaviour: one function per Cognito operation, and what the hosted pages, the console and
the CLI ask of the pool.

A Cognito operation is answered by the function named after it in snake_case, ``(ctx, request) -> response``
(``InitiateAuth`` -> ``initiate_auth``); ``registry.py`` builds the table the API dispatches on. The packages
follow the areas of the Amazon Cognito Developer Guide and API reference:

- ``directory/``: user pools, app clients, domains, resource servers, tags, UI customization, log delivery;
- ``users/``: administering users: create, read, update, delete, attributes, passwords, groups, ListUsers;
- ``sign_up/``: SignUp and its confirmation, ForgotPassword and its confirmation;
- ``sign_in/``: InitiateAuth and RespondToAuthChallenge with every flow and challenge, MFA, devices;
- ``tokens/``: refreshing and revoking tokens, and issuing and checking them for every other area;
- ``self_service/``: what a signed-in user does with its access token;
- ``federation/``: identity providers (OIDC, SAML, social), signing in through them, and the users it makes and
  links;
- ``threat_protection/``: risk configurations, the user event history and its feedback, and the steps that
  record and assess sign-ins, sign-ups, password changes and recoveries;
- ``user_import/``: user import jobs, the upload of their CSV files and the import of them in the background;
- ``identity_pools/``: identity pools, the ``cognito-identity`` API (its own table of operations in the registry):
  pools and roles, identities and their logins, OpenID tokens, credentials from STS;
- ``hosted/``: what the OAuth 2.0 endpoints and the hosted sign-in pages call;
- ``console/``: what the admin console and the CLI call beyond the Cognito operations;
- ``lookup/``: finding the pool, app client and user a request names, which every area does;
- ``housekeeping.py``: when expired rows are deleted.

Inside ``directory/``, ``users/``, ``sign_up/``, ``sign_in/``, ``tokens/``, ``self_service/``, ``federation/``,
``threat_protection/``, ``user_import/`` and ``identity_pools/`` the modules at the top of the package answer Cognito
operations, and the registry finds operations there and only there, each in the module that defines it; the
modules under a package's ``steps/`` are the internal steps the operations are built from, and answer none
(tests/api/test_operation_coverage.py and test_identity_operation_coverage.py check both).

The packages are layered, each importing only from those below it (an import-linter contract in
pyproject.toml): ``registry``; ``hosted`` and ``console``; ``sign_in``, ``sign_up``, ``self_service``,
``federation``, ``user_import`` and ``identity_pools``, which do not import each other; ``threat_protection``;
``users``; ``tokens`` and ``directory``; ``lookup`` and ``housekeeping``.
"""
