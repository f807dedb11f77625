"""VerifyAuthChallengeResponse: the answer must match the private one (case and spaces aside)."""

import copy

events = []


def handler(event, context):
    events.append(copy.deepcopy(event))  # as received, before the answer is filled in
    request = event["request"]
    expected = request["privateChallengeParameters"].get("answer", "")
    given = request["challengeAnswer"].strip().lower()
    event["response"]["answerCorrect"] = bool(expected) and given == expected.lower()
    return event
