"""Administering a pool's users (the AWS documentation's "Managing users in your user pool"): AdminCreateUser
and the other Admin*User operations, attributes, passwords, groups and ListUsers.

The modules at the top of the package answer Cognito operations. ``steps/`` holds what they and the other
areas are built from and answer no operation: users in their wire shapes, storing a new password and the
password history, sending and checking one-time codes, the stand-ins of names no user has, and users moved in
by the UserMigration trigger.
"""
