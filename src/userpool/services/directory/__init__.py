"""The pool and what it is configured with (the AWS documentation's user pool, app client, domain, resource
server and managed-login branding pages): CreateUserPool ... ListUserPools, the app client, domain and
resource server operations, tags, SetUICustomization / GetUICustomization, and Set/GetLogDeliveryConfiguration.

Every module here answers Cognito operations; what other areas read of the same records (a pool's ARN, a
domain's URL, a client's branding) sits beside the operations that write it.
"""
