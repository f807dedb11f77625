"""The steps user operations are built from, shared with sign-up, sign-in and self-service; none answers a
Cognito operation."""
