"""Browser pages: the hosted sign-in UI of each pool (``login/``) and the admin console (``console/``)."""
