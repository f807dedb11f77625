"""What the admin console and the CLI need beyond the Cognito operations: operator accounts and their
sessions, and the server's state (outgoing messages, signing keys).

No Cognito operation is answered here: every module is one that ``web/console/`` or ``cli.py`` calls.
"""
