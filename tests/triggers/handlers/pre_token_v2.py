"""PreTokenGeneration V2_0: claims of any JSON type in both tokens, scopes added and suppressed, one group
taken away. With ``clientMetadata`` ``{"scope": "narrow"}`` it also takes the API scope away."""

events = []


def handler(event, context):
    events.append(event)
    request = event["request"]
    suppressed_scopes = ["orders/write"]
    if (request.get("clientMetadata") or {}).get("scope") == "narrow":
        suppressed_scopes.append("aws.cognito.signin.user.admin")
    event["response"]["claimsAndScopeOverrideDetails"] = {
        "idTokenGeneration": {
            "claimsToAddOrOverride": {
                "tenant": {"id": 7, "name": "acme"},
                "plan": "gold",
                "email_verified": ["not", "allowed"],
            },
            "claimsToSuppress": ["email", "token_use"],
        },
        "accessTokenGeneration": {
            "claimsToAddOrOverride": {
                "tenant_id": 7,
                "premium": True,
                "roles": ["reader", "writer"],
                "token_source": event["triggerSource"],
                "client_id": "forged-client",
            },
            "claimsToSuppress": ["username", "auth_time"],
            "scopesToAdd": ["orders/read", "orders/write"],
            "scopesToSuppress": suppressed_scopes,
        },
        "groupOverrideDetails": {
            "groupsToOverride": [g for g in request["groupConfiguration"]["groupsToOverride"] if g != "staff"],
            "iamRolesToOverride": [],
            "preferredRole": None,
        },
    }
    return event
