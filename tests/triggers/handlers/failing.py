"""A function with a bug: it raises on every call."""

events = []


def handler(event, context):
    events.append(event)
    raise KeyError("userAttributes")
