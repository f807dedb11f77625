"""UserMigration: users of a legacy directory move in the first time they sign in or reset their password.

Its directory is the ``LEGACY`` table; a name it does not know is left unanswered (no userAttributes), a
wrong password is refused by raising, as AWS's example function does.
"""

events = []

LEGACY = {
    "legacy-ann": {"password": "Old-Passw0rd!", "email": "ann@legacy.example", "given_name": "Ann"},
    "legacy-reset": {"password": "Old-Passw0rd!", "email": "reset@legacy.example", "status": "RESET_REQUIRED"},
    "bob@legacy.example": {"password": "Old-Passw0rd!", "email": "bob@legacy.example", "given_name": "Bob"},
    "legacy-nomail": {"password": "Old-Passw0rd!", "email": "nomail@legacy.example", "unverified": True},
}


def handler(event, context):
    events.append(event)
    user = LEGACY.get(event["userName"])
    if user is None:
        return event
    response = event["response"]
    if event["triggerSource"] == "UserMigration_Authentication":
        if event["request"]["password"] != user["password"]:
            raise Exception("Bad password")
        response["finalUserStatus"] = user.get("status", "CONFIRMED")
    attributes = {"email": user["email"], "email_verified": "false" if user.get("unverified") else "true"}
    if "given_name" in user:
        attributes["given_name"] = user["given_name"]
    response["userAttributes"] = attributes
    response["messageAction"] = "SUPPRESS"
    return event
