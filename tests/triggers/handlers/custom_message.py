"""CustomMessage: the app's own wording for each message; a broken template when asked for one."""

events = []


def handler(event, context):
    events.append(event)
    request, response = event["request"], event["response"]
    code = request["codeParameter"]
    name = request["userAttributes"].get("given_name", "there")
    source = event["triggerSource"]
    if (request.get("clientMetadata") or {}).get("template") == "broken":
        response["emailMessage"] = "Your code is on its way."
    elif source in ("CustomMessage_SignUp", "CustomMessage_ResendCode"):
        response["emailSubject"] = "Welcome to Example"
        response["emailMessage"] = f"Hello {name}, confirm your account with {code}."
        response["smsMessage"] = f"Example code: {code}"
    elif source == "CustomMessage_ForgotPassword":
        response["emailSubject"] = "Reset your Example password"
        response["emailMessage"] = f"Hello {name}, reset your password with {code}."
    elif source == "CustomMessage_AdminCreateUser":
        response["emailSubject"] = "You are invited to Example"
        response["emailMessage"] = f"Sign in as {request['usernameParameter']} with the password {code}"
    elif source == "CustomMessage_Authentication":
        response["emailSubject"] = "Your Example sign-in code"
        response["emailMessage"] = f"Hello {name}, sign in to Example with {code}."
        response["smsMessage"] = f"Example sign-in code: {code}"
    elif source in ("CustomMessage_UpdateUserAttribute", "CustomMessage_VerifyUserAttribute"):
        response["emailSubject"] = "Check your new address"
        response["emailMessage"] = f"{source}: {code}"
    return event
