"""The public routes an emailed link or a forgotten login leads to: confirming an address
(R9, R10) and its resend; forgot login and password reset (R23); confirming a new email
(R24). None needs a token; each answers the same whatever the address (R21)."""

from typing import Any

from clientaccounts.answers import Message, StatusAnswer
from clientaccounts.http import create_api
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.profile import confirm_email_change
from clientaccounts.recovery import forgot_login, reset_password
from clientaccounts.registration import confirm_email, resend_confirmation
from clientaccounts.schemas import (
    EmailChangeConfirmationRequest,
    EmailConfirmationRequest,
    ForgotLoginRequest,
    PasswordResetRequest,
    ResendConfirmationRequest,
)

app = create_api()


@app.post("/public/email-confirmations", body=EmailConfirmationRequest, answer=StatusAnswer)
def confirm(body: EmailConfirmationRequest) -> StatusAnswer:
    return {"status": confirm_email(body.token, body.username, body.password)}


@app.post(
    "/public/email-confirmations/resend",
    body=ResendConfirmationRequest,
    status=202,
    answer=Message,
)
def resend(body: ResendConfirmationRequest) -> Message:
    resend_confirmation(body.org_slug, body.email)
    # R21: the same answer whatever the address.
    return {"message": "If this address awaits confirmation, a new link is on its way."}


@app.post("/public/orgs/{slug}/forgot-login", body=ForgotLoginRequest, status=202, answer=Message)
def forgot(slug: str, body: ForgotLoginRequest) -> Message:
    forgot_login(slug, body.email)
    # R21, R23: the same answer whatever the address.
    return {"message": "If this address has an account here, an email is on its way."}


@app.post("/public/password-resets", body=PasswordResetRequest, answer=Message)
def reset(body: PasswordResetRequest) -> Message:
    reset_password(body.token, body.password)
    return {"message": "Your password is changed; please sign in again on every device."}


@app.post("/public/email-changes/confirm", body=EmailChangeConfirmationRequest, answer=Message)
def confirm_new_email(body: EmailChangeConfirmationRequest) -> Message:
    confirm_email_change(body.token)
    return {"message": "Your email is changed; please sign in again."}


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
