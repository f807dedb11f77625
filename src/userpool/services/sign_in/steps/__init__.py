"""The sign-in flows and challenge answers InitiateAuth and RespondToAuthChallenge dispatch to, and what they
share; none answers a Cognito operation."""
