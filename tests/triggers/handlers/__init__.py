"""Cognito trigger handlers written as AWS Lambda handlers: ``handler(event, context)``, no userpool import.

Each module keeps the events it received in ``events`` so that the tests can read what Cognito sent.
"""
