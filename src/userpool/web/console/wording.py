"""The console's fixed wording: the notice shown after an action (named in the redirect, never text taken
from the URL) and how times are shown."""

from __future__ import annotations

import datetime

NOTICES = {
    "pool_created": "User pool created.",
    "pool_updated": "User pool settings saved.",
    "pool_deleted": "User pool deleted.",
    "identity_pool_created": "Identity pool created.",
    "identity_pool_updated": "Identity pool saved.",
    "identity_pool_deleted": "Identity pool deleted.",
    "identity_roles_saved": "Roles saved.",
    "client_created": "App client created.",
    "client_updated": "App client saved.",
    "client_deleted": "App client deleted.",
    "secret_added": "Client secret added: the client authenticates with either secret until one is deleted.",
    "secret_deleted": "Client secret deleted: only the other secret authenticates the client now.",
    "domain_created": "Domain created.",
    "domain_deleted": "Domain deleted.",
    "branding_saved": "Branding saved.",
    "user_created": "User created.",
    "user_updated": "User attributes saved.",
    "user_enabled": "User enabled.",
    "user_disabled": "User disabled: the user can no longer sign in.",
    "password_reset": "Password reset: the user must set a new one with the code sent to them.",
    "signed_out": "The user was signed out of every device.",
    "user_deleted": "User deleted.",
    "passkey_removed": "Passkey removed.",
    "authenticator_removed": "Authenticator app removed: its codes no longer sign the user in.",
    "session_revoked": "Session revoked: the user's other sessions go on.",
    "session_tracking_on": "Session tracking is on: sign-ins from now on are listed with their device and address.",
    "mfa_saved": "MFA preference saved.",
    "group_created": "Group created.",
    "group_deleted": "Group deleted.",
    "member_added": "User added to the group.",
    "member_removed": "User removed from the group.",
    "provider_created": "Identity provider added.",
    "provider_updated": "Identity provider saved.",
    "provider_deleted": "Identity provider deleted.",
    "server_created": "Resource server created.",
    "server_deleted": "Resource server deleted.",
    "risk_saved": "Threat protection settings saved.",
    "risk_reset": "The app client follows the pool's threat protection settings.",
    "log_delivery_saved": "Log delivery saved.",
    "import_job_created": "Import job created: upload its CSV file, then start it.",
    "import_file_uploaded": "CSV file uploaded: the job can be started.",
    "import_job_start": "Import job started.",
    "import_job_stop": "Import job stopped.",
    "feedback_saved": "Feedback on the event saved.",
    "keys_rotated": "Signing keys rotated: new tokens are signed with the new keys.",
    "signed_out_console": "You are signed out.",
    "idle": "You were signed out after a while without activity.",
}


def when(epoch: float | None) -> str:
    """``2026-12-02 10:31 UTC``; a dash for never."""
    if epoch is None:
        return "—"
    return datetime.datetime.fromtimestamp(float(epoch), datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
