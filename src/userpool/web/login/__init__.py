"""The hosted sign-in pages of a pool's domain: sign-in, sign-up, confirmation, password reset, forced new password and
MFA (Cognito developer guide: 'User pool managed login'), with server-side sessions, CSRF tokens on every form and a
strict Content-Security-Policy (docs/architecture.md, Security invariants). No JavaScript: every page is a plain
form."""
