"""PostConfirmation: put the new user in the group its client asked for, through the Cognito API."""

import os

import boto3

events = []


def handler(event, context):
    events.append(event)
    group = (event["request"].get("clientMetadata") or {}).get("group")
    if group:
        cognito = boto3.client("cognito-idp", endpoint_url=os.environ["COGNITO_ENDPOINT"], region_name=event["region"])
        cognito.admin_add_user_to_group(UserPoolId=event["userPoolId"], Username=event["userName"], GroupName=group)
    return event
