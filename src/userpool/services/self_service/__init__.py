"""What a signed-in user does with its own access token: GetUser, UpdateUserAttributes,
DeleteUserAttributes, attribute verification, ChangePassword, SetUserSettings, GetUserAuthFactors and
DeleteUser.

Every module here answers Cognito operations; their steps are shared with other areas and live in
``users/steps/`` and ``tokens/steps/``.
"""
