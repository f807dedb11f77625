"""PreAuthentication: sign-in is closed to one email domain."""

events = []


def handler(event, context):
    events.append(event)
    email = event["request"]["userAttributes"].get("email", "")
    if email.endswith("@suspended.example"):
        raise Exception("Account suspended")
    return event
