"""DefineAuthChallenge: an optional password (SRP) first, then up to three custom challenges — a captcha, a
secret question, a word to type back — in that order; two wrong answers, or a wrong password, fail the
sign-in. ``clientMetadata.steps`` says how many custom challenges to ask; ``clientMetadata.mode`` makes the
function misbehave."""

import copy

STEPS = ["CAPTCHA", "QUESTION", "CONFIRM"]

events = []


def handler(event, context):
    events.append(copy.deepcopy(event))  # as received, before the answer is filled in
    request, response = event["request"], event["response"]
    metadata = request.get("clientMetadata") or {}
    session = request["session"]
    if metadata.get("mode") == "bogus":
        response["challengeName"] = "SMS_MFA_PLEASE"
        return event
    if metadata.get("mode") == "nothing":
        return event
    if metadata.get("mode") == "early_tokens":
        response["issueTokens"] = True
        return event
    names = [entry["challengeName"] for entry in session]
    if "SRP_A" in names and "PASSWORD_VERIFIER" not in names:
        response["challengeName"] = "PASSWORD_VERIFIER"
        return event
    if any(e["challengeName"] == "PASSWORD_VERIFIER" and not e["challengeResult"] for e in session):
        response["failAuthentication"] = True
        return event
    custom = [e for e in session if e["challengeName"] == "CUSTOM_CHALLENGE"]
    if sum(1 for e in custom if not e["challengeResult"]) >= 2 or (request["userNotFound"] and custom):
        response["failAuthentication"] = True
        return event
    passed = {e["challengeMetadata"] for e in custom if e["challengeResult"]}
    wanted = STEPS[: int(metadata.get("steps", "3"))]
    if all(step in passed for step in wanted):
        response["issueTokens"] = True
        response["failAuthentication"] = False
        return event
    response["issueTokens"] = False
    response["failAuthentication"] = False
    response["challengeName"] = "CUSTOM_CHALLENGE"
    return event
