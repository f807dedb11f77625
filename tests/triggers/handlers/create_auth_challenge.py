"""CreateAuthChallenge: makes the next of the captcha, the secret question (the answer is the user's
``nickname``) and the word to type back; the answers stay in ``privateChallengeParameters``."""

import copy
import random

STEPS = ["CAPTCHA", "QUESTION", "CONFIRM"]
WORDS = ["harbour", "lantern", "meadow", "quartz"]

events = []


def handler(event, context):
    events.append(copy.deepcopy(event))  # as received, before the answer is filled in
    request, response = event["request"], event["response"]
    passed = {
        entry.get("challengeMetadata")
        for entry in request["session"]
        if entry["challengeName"] == "CUSTOM_CHALLENGE" and entry["challengeResult"]
    }
    step = next(s for s in STEPS if s not in passed)
    if step == "CAPTCHA":
        a, b = random.randint(2, 9), random.randint(2, 9)
        response["publicChallengeParameters"] = {"type": "captcha", "question": f"{a} + {b}"}
        response["privateChallengeParameters"] = {"answer": str(a + b)}
    elif step == "QUESTION":
        response["publicChallengeParameters"] = {"type": "question", "question": "Your nickname?"}
        response["privateChallengeParameters"] = {"answer": request["userAttributes"].get("nickname", "")}
    else:
        word = random.choice(WORDS)
        response["publicChallengeParameters"] = {"type": "confirm", "word": word}
        response["privateChallengeParameters"] = {"answer": word}
    response["challengeMetadata"] = step
    return event
