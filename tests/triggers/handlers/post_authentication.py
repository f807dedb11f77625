"""PostAuthentication: records the sign-in, and refuses to for one email domain."""

events = []


def handler(event, context):
    events.append(event)
    if event["request"]["userAttributes"].get("email", "").endswith("@audit-down.example"):
        raise Exception("Audit log unavailable")
    return event
