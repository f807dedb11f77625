"""A function that forgets to return the event and returns something else."""

events = []


def handler(event, context):
    events.append(event)
    return "done"
