"""Breached passwords: Cognito's compromised-credentials check asks whether a password is one that has
appeared in a breach. Services use the port in ``port.py``; ``app.py`` chooses the adapter
(``file_backed.py``: the built-in list of the most common passwords, and the corpus an operator imports with
``userpool breached-passwords import``, ``importer.py``, in the format of ``corpus.py``)."""
