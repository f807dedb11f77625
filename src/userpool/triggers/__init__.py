"""Cognito Lambda triggers: the events Cognito sends, and the transports that run the functions here.

A pool's LambdaConfig keeps real Lambda ARNs; the server settings map each ARN (or function name) to a
Python callable or an HTTP webhook (AWS: LambdaConfigType API reference). Services call the per-trigger modules
(``sign_up``, ``custom_message``, ...), which build the event, ``invoke`` it and read its ``response``.
Nothing here may run inside a database transaction: callers invoke triggers between their transactions.
"""
