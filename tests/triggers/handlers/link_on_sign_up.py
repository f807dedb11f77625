"""PreSignUp for federated sign-ins: an identity whose email is carlos@example.com is linked to the pool's user
``carlos`` through the Cognito API (AdminLinkProviderForUser), as apps that merge accounts do."""

import os

import boto3

events = []


def handler(event, context):
    events.append(event)
    if (
        event["triggerSource"] == "PreSignUp_ExternalProvider"
        and event["request"]["userAttributes"].get("email") == "carlos@example.com"
    ):
        _, _, subject = event["userName"].partition("_")
        cognito = boto3.client("cognito-idp", endpoint_url=os.environ["COGNITO_ENDPOINT"], region_name=event["region"])
        cognito.admin_link_provider_for_user(
            UserPoolId=event["userPoolId"],
            DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": "carlos"},
            SourceUser={
                "ProviderName": "Corp",
                "ProviderAttributeName": "Cognito_Subject",
                # The username is the lower-cased "<ProviderName>_<subject>": right for lower-case subjects only.
                "ProviderAttributeValue": subject,
            },
        )
    return event
