"""Signing in (the AWS documentation's "Authentication with Amazon Cognito user pools"): InitiateAuth and
AdminInitiateAuth with every AuthFlow, RespondToAuthChallenge and AdminRespondToAuthChallenge with every
challenge, software-token MFA and MFA preferences, and remembered devices.

The modules at the top of the package answer Cognito operations. ``steps/`` holds the flows and challenge
answers they dispatch to (password, SRP, custom, USER_AUTH, refresh token, device, MFA) and how each step
ends, is counted and is carried from one request to the next by its Session; none answers an operation.
"""
