"""Finding what a request names, which every area does first: the pool, app client and user, with Cognito's
not-found errors, and the app client of an unsigned call with its SECRET_HASH check.

No Cognito operation is answered here: every module is a step the areas' operations share.
"""
