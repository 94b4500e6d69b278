"""The caller's own account: GET and PATCH /me, own email change (R24), the notice after a
password change (R23), GET /me/connections (the Care App's list) and a staff member's second
factor (R30: GET /me, POST /me/mfa and POST /me/password-changed answer those who must still
enrol one; every other route refuses them)."""

from typing import Any

from clientaccounts.answers import Connections, Message, ProfileView
from clientaccounts.associations import care_app_connections
from clientaccounts.auth import Caller
from clientaccounts.http import create_api
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.profile import (
    enrol_my_mfa,
    my_profile,
    report_password_changed,
    request_email_change,
    update_my_profile,
)
from clientaccounts.schemas import EmailChangeRequest, UpdateMeRequest

app = create_api()


@app.get("/me", answer=ProfileView, while_enrolling=True)
def me(caller: Caller) -> ProfileView:
    return my_profile(caller)


@app.patch("/me", body=UpdateMeRequest, answer=ProfileView)
def update_me(caller: Caller, body: UpdateMeRequest) -> ProfileView:
    return update_my_profile(caller, body)


@app.post("/me/email-change", body=EmailChangeRequest, status=202, answer=Message)
def change_email(caller: Caller, body: EmailChangeRequest) -> Message:
    request_email_change(caller, body.email)
    return {"message": "A confirmation link is on its way to the new address."}


@app.post("/me/password-changed", status=202, answer=Message, while_enrolling=True)
def password_changed(caller: Caller) -> Message:
    report_password_changed(caller)
    return {"message": "Every session has ended; please sign in again."}


@app.post("/me/mfa", answer=Message, while_enrolling=True)
def mfa_enrolled(caller: Caller) -> Message:
    """R30: after AssociateSoftwareToken and VerifySoftwareToken with Cognito."""
    enrol_my_mfa(caller)
    return {"message": "Your second factor is on: sign-in now asks for a code."}


@app.get("/me/connections", answer=Connections)
def connections(caller: Caller) -> Connections:
    """The Care App's list."""
    return care_app_connections(caller)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
