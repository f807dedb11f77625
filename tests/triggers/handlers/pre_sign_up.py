"""PreSignUp: refuse one email domain, auto-confirm another, answer with a wrong type for a third."""

events = []
contexts = []


def handler(event, context):
    events.append(event)
    contexts.append(
        {
            "function_name": context.function_name,
            "function_version": context.function_version,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "aws_request_id": context.aws_request_id,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "remaining_ms": context.get_remaining_time_in_millis(),
        }
    )
    email = event["request"]["userAttributes"].get("email", "")
    domain = email.rpartition("@")[2]
    if domain == "blocked.example":
        raise ValueError("Email domain not allowed")
    if domain == "trusted.example":
        event["response"]["autoConfirmUser"] = True
        event["response"]["autoVerifyEmail"] = True
    if domain == "sloppy.example":
        event["response"]["autoConfirmUser"] = "yes"
    return event
