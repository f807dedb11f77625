"""Users registering and recovering themselves (the AWS documentation's "Signing up and confirming user
accounts" and "Recovering user accounts"): SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword and
ConfirmForgotPassword.

Every module here answers Cognito operations; their steps are shared with other areas and live in
``users/steps/``.
"""
