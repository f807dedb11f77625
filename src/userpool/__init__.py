"""userpool: a self-hosted Amazon Cognito User Pools server."""

__version__ = "0.1.0"
