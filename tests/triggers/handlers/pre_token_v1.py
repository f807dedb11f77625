"""PreTokenGeneration V1_0: a tenant claim, the sign-in's source, one claim suppressed, a group added.

It also tries to change claims Cognito keeps to itself; those attempts must be ignored. A user named
``nogroups`` gets an empty group list, which leaves the group claims out.
"""

events = []


def handler(event, context):
    events.append(event)
    groups = event["request"]["groupConfiguration"]["groupsToOverride"]
    group_override = {
        "groupsToOverride": [*groups, "beta-testers"],
        "iamRolesToOverride": ["arn:aws:iam::123456789012:role/Beta"],
        "preferredRole": "arn:aws:iam::123456789012:role/Beta",
    }
    if event["userName"] == "nogroups":
        group_override = {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": None}
    event["response"]["claimsOverrideDetails"] = {
        "claimsToAddOrOverride": {
            "tenant": "acme",
            "token_source": event["triggerSource"],
            "family_name": "Override",
            "both": "added and suppressed",
            "sub": "forged-sub",
            "iss": "https://evil.example",
            "cognito:username": "mallory",
        },
        "claimsToSuppress": ["email", "both", "aud", "token_use"],
        "groupOverrideDetails": group_override,
    }
    return event
