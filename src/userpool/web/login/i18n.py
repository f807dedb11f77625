"""The pages' words in English and German, chosen by the ``lang`` parameter (Cognito developer guide: 'Authorize
endpoint').

Cognito's own error messages are translated where they are among the common ones; others are shown as the
service words them (in English, as AWS does for trigger messages).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

DEFAULT = "en"
NAMES = {"en": "English", "de": "Deutsch"}

_EN: dict[str, str] = {
    "sign_in.title": "Sign in",
    "sign_in.intro": "Sign in with your username and password.",
    "sign_in.intro_email": "Sign in with your email address and password.",
    "sign_in.submit": "Sign in",
    "sign_in.forgot": "Forgot your password?",
    "sign_in.no_account": "Need an account?",
    "sign_in.sign_up": "Sign up",
    "sign_in.continue_with": "Continue with {provider}",
    "sign_in.or": "or",
    "field.username": "Username",
    "field.email": "Email",
    "field.phone_number": "Phone number",
    "field.password": "Password",
    "field.new_password": "New password",
    "field.confirm_password": "Confirm new password",
    "field.code": "Verification code",
    "field.name": "Name",
    "field.given_name": "Given name",
    "field.family_name": "Family name",
    "field.preferred_username": "Preferred username",
    "hint.phone_number": "International format, for example +14325551212.",
    "hint.code": "The 6-digit code.",
    "sign_up.title": "Create an account",
    "sign_up.intro": "Fill in the form to create your account.",
    "sign_up.submit": "Sign up",
    "sign_up.have_account": "Already have an account?",
    "confirm.title": "Confirm your account",
    "confirm.intro": "We have sent a code by email or text message. Enter it below to confirm your account.",
    "confirm.submit": "Confirm account",
    "confirm.resend": "Send a new code",
    "confirm.resent": "A new code is on its way.",
    "forgot.title": "Reset your password",
    "forgot.intro": "Enter your username and we will send you a code to reset your password.",
    "forgot.submit": "Send code",
    "reset.title": "Choose a new password",
    "reset.intro": "Enter the code we sent you and choose a new password.",
    "reset.submit": "Change password",
    "new_password.title": "Change your password",
    "new_password.intro": "Please choose a new password to replace the temporary one.",
    "new_password.submit": "Set password and sign in",
    "mfa.title": "Verify it's you",
    "mfa.totp": "Enter the code shown in your authenticator app.",
    "mfa.sent": "Enter the code we sent to {destination}.",
    "mfa.submit": "Verify",
    "mfa_select.title": "Choose how to verify",
    "mfa_select.intro": "Which second factor do you want to use?",
    "mfa_select.submit": "Continue",
    "mfa.SOFTWARE_TOKEN_MFA": "Authenticator app",
    "mfa.SMS_MFA": "Text message",
    "mfa.EMAIL_OTP": "Email",
    "mfa_setup.title": "Set up an authenticator app",
    "mfa_setup.intro": "Scan the QR code with an authenticator app, or type in the key, then enter the code it shows.",
    "mfa_setup.key": "Setup key",
    "mfa_setup.qr": "QR code for your authenticator app",
    "mfa_setup.submit": "Verify and sign in",
    "back_to_sign_in": "Back to sign in",
    "notice.confirmed": "Your account is confirmed. You can sign in now.",
    "notice.password_reset": "Your password has been changed. You can sign in now.",
    "notice.signed_up": "Your account is ready. You can sign in now.",
    "notice.link_sent": "We have emailed you a link. Open it to confirm your account, then sign in.",
    "confirm_link.title": "Account confirmation",
    "confirm_link.done": "Your registration has been confirmed!",
    "event_feedback.title": "Sign-in activity",
    "event_feedback.done": "Thank you. Your answer has been recorded.",
    "error.title": "Something went wrong",
    "error.invalid_request": "The sign-in link is incomplete or malformed. Please go back to the application.",
    "error.invalid_client": "This application is not known to the sign-in service.",
    "error.redirect_mismatch": "The application asked to return to an address it has not registered.",
    "error.invalid_logout_uri": "The application asked to return to an address it has not registered.",
    "error.csrf": "Your session expired or the form was sent twice. Please try again.",
    "error.session": "This sign-in took too long. Please start again.",
    "error.input": "Please check what you entered.",
    "error.passwords_differ": "The passwords do not match.",
    "error.unsupported": "This sign-in step is not available yet.",
    "error.generic": "Please go back to the application and try again.",
    "error.login_option_unavailable": "Login option is not available. Please try another one",
    "error.idp_response": (
        "This sign-in is unknown, has expired or was already used. Please go back to the application."
    ),
    "error.saml_logout": (
        "The identity provider's sign-out answer is unknown, expired or refused. You are signed out here."
    ),
    "sign_in.corporate_intro": "Sign in with your corporate ID.",
    "sign_in.corporate_email": "Corporate email address",
    "sign_in.corporate_submit": "Continue",
    "error.corporate_email": "Enter your corporate email address, for example name@example.com.",
    "sign_in.with_passkey": "Sign in with a passkey",
    "sign_in.manage_passkeys": "Manage your passkeys",
    "sign_in.with_email_code": "Email me a sign-in code",
    "sign_in.with_sms_code": "Text me a sign-in code",
    "select_challenge.title": "Choose how to sign in",
    "select_challenge.intro": "How do you want to sign in?",
    "select_challenge.submit": "Continue",
    "factor.WEB_AUTHN": "Passkey",
    "factor.EMAIL_OTP": "Code by email",
    "factor.SMS_OTP": "Code by text message",
    "passkey.title": "Sign in with a passkey",
    "passkey.intro": "Use the passkey saved on this device or your security key.",
    "passkey.submit": "Use my passkey",
    "passkey.failed": "The passkey could not be used. Please try again.",
    "passkey_add.title": "Add a passkey",
    "passkey_add.intro": "Sign in next time with your fingerprint, face or screen lock instead of a password.",
    "passkey_add.submit": "Add a passkey",
    "passkey_add.skip": "Not now",
    "passkeys.title": "Your passkeys",
    "passkeys.none": "You have no passkeys yet.",
    "passkeys.created": "Added {date}",
    "passkeys.remove": "Remove",
    "passkeys.confirm": "Remove the passkey “{name}”? You can no longer sign in with it.",
    "passkeys.remove_confirmed": "Remove passkey",
    "passkeys.cancel": "Keep it",
    "passkeys.add": "Add a passkey",
    "passkeys.continue": "Continue to the application",
    "notice.passkey_added": "Your passkey has been added.",
    "notice.passkey_removed": "The passkey has been removed.",
    "error.factor_unavailable": "This sign-in option is not available for your account. Sign in with your password.",
    "error.passkeys_unavailable": "Passkeys are not available here.",
    "error.no_passkey": "That passkey was not found.",
    "language": "Language",
    "footer.secured": "Secured sign-in",
}

_DE: dict[str, str] = {
    "sign_in.title": "Anmelden",
    "sign_in.intro": "Melden Sie sich mit Benutzername und Passwort an.",
    "sign_in.intro_email": "Melden Sie sich mit E-Mail-Adresse und Passwort an.",
    "sign_in.submit": "Anmelden",
    "sign_in.forgot": "Passwort vergessen?",
    "sign_in.no_account": "Noch kein Konto?",
    "sign_in.sign_up": "Registrieren",
    "sign_in.continue_with": "Weiter mit {provider}",
    "sign_in.or": "oder",
    "field.username": "Benutzername",
    "field.email": "E-Mail",
    "field.phone_number": "Telefonnummer",
    "field.password": "Passwort",
    "field.new_password": "Neues Passwort",
    "field.confirm_password": "Neues Passwort bestätigen",
    "field.code": "Bestätigungscode",
    "field.name": "Name",
    "field.given_name": "Vorname",
    "field.family_name": "Nachname",
    "field.preferred_username": "Bevorzugter Benutzername",
    "hint.phone_number": "Internationales Format, zum Beispiel +4930123456.",
    "hint.code": "Der 6-stellige Code.",
    "sign_up.title": "Konto erstellen",
    "sign_up.intro": "Füllen Sie das Formular aus, um Ihr Konto zu erstellen.",
    "sign_up.submit": "Registrieren",
    "sign_up.have_account": "Sie haben schon ein Konto?",
    "confirm.title": "Konto bestätigen",
    "confirm.intro": "Wir haben Ihnen einen Code per E-Mail oder SMS geschickt. Geben Sie ihn hier ein.",
    "confirm.submit": "Konto bestätigen",
    "confirm.resend": "Neuen Code senden",
    "confirm.resent": "Ein neuer Code ist unterwegs.",
    "forgot.title": "Passwort zurücksetzen",
    "forgot.intro": "Geben Sie Ihren Benutzernamen ein; wir schicken Ihnen einen Code zum Zurücksetzen.",
    "forgot.submit": "Code senden",
    "reset.title": "Neues Passwort wählen",
    "reset.intro": "Geben Sie den erhaltenen Code ein und wählen Sie ein neues Passwort.",
    "reset.submit": "Passwort ändern",
    "new_password.title": "Passwort ändern",
    "new_password.intro": "Bitte ersetzen Sie das vorläufige Passwort durch ein neues.",
    "new_password.submit": "Passwort setzen und anmelden",
    "mfa.title": "Bestätigen Sie Ihre Identität",
    "mfa.totp": "Geben Sie den Code aus Ihrer Authenticator-App ein.",
    "mfa.sent": "Geben Sie den Code ein, den wir an {destination} geschickt haben.",
    "mfa.submit": "Bestätigen",
    "mfa_select.title": "Bestätigungsart wählen",
    "mfa_select.intro": "Welchen zweiten Faktor möchten Sie verwenden?",
    "mfa_select.submit": "Weiter",
    "mfa.SOFTWARE_TOKEN_MFA": "Authenticator-App",
    "mfa.SMS_MFA": "SMS",
    "mfa.EMAIL_OTP": "E-Mail",
    "mfa_setup.title": "Authenticator-App einrichten",
    "mfa_setup.intro": "Scannen Sie den QR-Code mit einer Authenticator-App oder tippen Sie den Schlüssel ab, "
    "und geben Sie dann den angezeigten Code ein.",
    "mfa_setup.key": "Einrichtungsschlüssel",
    "mfa_setup.qr": "QR-Code für Ihre Authenticator-App",
    "mfa_setup.submit": "Bestätigen und anmelden",
    "back_to_sign_in": "Zurück zur Anmeldung",
    "notice.confirmed": "Ihr Konto ist bestätigt. Sie können sich jetzt anmelden.",
    "notice.password_reset": "Ihr Passwort wurde geändert. Sie können sich jetzt anmelden.",
    "notice.signed_up": "Ihr Konto ist eingerichtet. Sie können sich jetzt anmelden.",
    "notice.link_sent": "Wir haben Ihnen einen Link gemailt. Öffnen Sie ihn, um Ihr Konto zu bestätigen.",
    "confirm_link.title": "Kontobestätigung",
    "confirm_link.done": "Ihre Registrierung ist bestätigt!",
    "event_feedback.title": "Anmeldeaktivität",
    "event_feedback.done": "Vielen Dank. Ihre Antwort wurde gespeichert.",
    "error.title": "Etwas ist schiefgegangen",
    "error.invalid_request": "Der Anmeldelink ist unvollständig. Bitte kehren Sie zur Anwendung zurück.",
    "error.invalid_client": "Diese Anwendung ist dem Anmeldedienst nicht bekannt.",
    "error.redirect_mismatch": "Die Anwendung möchte zu einer nicht registrierten Adresse zurückkehren.",
    "error.invalid_logout_uri": "Die Anwendung möchte zu einer nicht registrierten Adresse zurückkehren.",
    "error.csrf": "Ihre Sitzung ist abgelaufen oder das Formular wurde doppelt gesendet. Bitte erneut versuchen.",
    "error.session": "Die Anmeldung hat zu lange gedauert. Bitte beginnen Sie von vorn.",
    "error.input": "Bitte prüfen Sie Ihre Eingaben.",
    "error.passwords_differ": "Die Passwörter stimmen nicht überein.",
    "error.unsupported": "Dieser Anmeldeschritt ist noch nicht verfügbar.",
    "error.generic": "Bitte kehren Sie zur Anwendung zurück und versuchen Sie es erneut.",
    "error.login_option_unavailable": "Diese Anmeldeoption ist nicht verfügbar. Bitte wählen Sie eine andere.",
    "error.idp_response": (
        "Diese Anmeldung ist unbekannt, abgelaufen oder wurde schon verwendet. Bitte kehren Sie zur Anwendung zurück."
    ),
    "error.saml_logout": (
        "Die Abmeldeantwort des Identitätsanbieters ist unbekannt, abgelaufen oder ungültig. Hier sind Sie abgemeldet."
    ),
    "sign_in.corporate_intro": "Melden Sie sich mit Ihrer Firmen-ID an.",
    "sign_in.corporate_email": "Geschäftliche E-Mail-Adresse",
    "sign_in.corporate_submit": "Weiter",
    "error.corporate_email": "Geben Sie Ihre geschäftliche E-Mail-Adresse ein, zum Beispiel name@example.com.",
    "sign_in.with_passkey": "Mit einem Passkey anmelden",
    "sign_in.manage_passkeys": "Ihre Passkeys verwalten",
    "sign_in.with_email_code": "Anmeldecode per E-Mail senden",
    "sign_in.with_sms_code": "Anmeldecode per SMS senden",
    "select_challenge.title": "Anmeldeart wählen",
    "select_challenge.intro": "Wie möchten Sie sich anmelden?",
    "select_challenge.submit": "Weiter",
    "factor.WEB_AUTHN": "Passkey",
    "factor.EMAIL_OTP": "Code per E-Mail",
    "factor.SMS_OTP": "Code per SMS",
    "passkey.title": "Mit einem Passkey anmelden",
    "passkey.intro": "Verwenden Sie den auf diesem Gerät gespeicherten Passkey oder Ihren Sicherheitsschlüssel.",
    "passkey.submit": "Passkey verwenden",
    "passkey.failed": "Der Passkey konnte nicht verwendet werden. Bitte erneut versuchen.",
    "passkey_add.title": "Passkey hinzufügen",
    "passkey_add.intro": (
        "Melden Sie sich nächstes Mal mit Fingerabdruck, Gesicht oder Bildschirmsperre statt Passwort an."
    ),
    "passkey_add.submit": "Passkey hinzufügen",
    "passkey_add.skip": "Jetzt nicht",
    "passkeys.title": "Ihre Passkeys",
    "passkeys.none": "Sie haben noch keine Passkeys.",
    "passkeys.created": "Hinzugefügt {date}",
    "passkeys.remove": "Entfernen",
    "passkeys.confirm": "Passkey „{name}“ entfernen? Sie können sich dann nicht mehr damit anmelden.",
    "passkeys.remove_confirmed": "Passkey entfernen",
    "passkeys.cancel": "Behalten",
    "passkeys.add": "Passkey hinzufügen",
    "passkeys.continue": "Weiter zur Anwendung",
    "notice.passkey_added": "Ihr Passkey wurde hinzugefügt.",
    "notice.passkey_removed": "Der Passkey wurde entfernt.",
    "error.factor_unavailable": (
        "Diese Anmeldeart ist für Ihr Konto nicht verfügbar. Melden Sie sich mit Ihrem Passwort an."
    ),
    "error.passkeys_unavailable": "Passkeys sind hier nicht verfügbar.",
    "error.no_passkey": "Dieser Passkey wurde nicht gefunden.",
    "language": "Sprache",
    "footer.secured": "Sichere Anmeldung",
}

# Cognito's messages that users commonly see, in German.
_DE_SERVICE: dict[str, str] = {
    "Incorrect username or password.": "Benutzername oder Passwort ist falsch.",
    "User does not exist.": "Diesen Benutzer gibt es nicht.",
    "User is disabled.": "Dieser Benutzer ist gesperrt.",
    "User already exists": "Diesen Benutzer gibt es schon.",
    "Invalid verification code provided, please try again.": "Der Code ist falsch. Bitte erneut versuchen.",
    "Password attempts exceeded": "Zu viele Versuche. Bitte warten Sie und versuchen Sie es dann erneut.",
    "Provided password cannot be used for security reasons.": (
        "Dieses Passwort ist aus Datenlecks bekannt und kann nicht verwendet werden."
    ),
    "Password reset required for the user": "Bitte setzen Sie Ihr Passwort zurück.",
}

CATALOGS: Mapping[str, Mapping[str, str]] = {"en": _EN, "de": _DE}
_SERVICE: Mapping[str, Mapping[str, str]] = {"en": {}, "de": _DE_SERVICE}


def language(requested: str | None) -> str:
    """``de``, ``de-DE`` or ``de_AT`` -> ``de``; unknown languages fall back to English."""
    code = (requested or "").replace("_", "-").split("-")[0].lower()
    return code if code in CATALOGS else DEFAULT


def translator(lang: str) -> Callable[..., str]:
    catalog = CATALOGS[lang]

    def t(key: str, **values: str) -> str:
        text = catalog.get(key) or _EN.get(key) or key
        return text.format(**values) if values else text

    return t


def service_message(lang: str, message: str) -> str:
    """A Cognito error message in the page's language, where a translation exists."""
    return _SERVICE[lang].get(message, message)
