"""A function that waits on something that never answers in time."""

import time

events = []


def handler(event, context):
    events.append(event)
    time.sleep(2)
    return event
