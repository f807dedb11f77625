"""The admin console at ``/console/``: pools, app clients, domains and branding, users, groups, resource
servers, triggers, signing keys and the outbox, for signed-in operators. Pages are server-rendered
forms that change things only through the same operations boto3 calls (``api/direct.py``)."""
