"""A function that answers with members of the wrong JSON type, whichever trigger it serves."""

events = []


def handler(event, context):
    events.append(event)
    source = event["triggerSource"]
    if source.startswith("TokenGeneration_"):
        event["response"]["claimsOverrideDetails"] = {"claimsToSuppress": "email"}
    elif source.startswith("UserMigration_"):
        event["response"]["userAttributes"] = {"email": "x@legacy.example"}
        event["response"]["finalUserStatus"] = "ACTIVE"
    return event
