"""Issuing and checking tokens and keeping the keys that sign them; none answers a Cognito operation."""
