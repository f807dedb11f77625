"""The hosted sign-in pages of a pool's domain: sign-in, sign-up, confirmation, password reset, forced new
password and MFA (spec oauth-hosted-ui §13), with server-side sessions, CSRF tokens on every form and a
strict Content-Security-Policy (design §6). No JavaScript: every page is a plain form."""
