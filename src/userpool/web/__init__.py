"""Browser pages: the hosted sign-in UI of each pool (``login/``) (design §2)."""
