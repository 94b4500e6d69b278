"""The public routes an emailed link or a forgotten login leads to: confirming an address
(R9, R10) and its resend; forgot login and password reset (R23); confirming a new email
(R24). None needs a token; each answers the same whatever the address (R21)."""

from typing import Any

from clientaccounts.http import Request, Response, create_api, json_response
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


@app.post("/public/email-confirmations", body=EmailConfirmationRequest)
def confirm(request: Request, body: EmailConfirmationRequest) -> dict[str, str]:
    return {"status": confirm_email(body.token, body.username, body.password)}


@app.post("/public/email-confirmations/resend", body=ResendConfirmationRequest)
def resend(request: Request, body: ResendConfirmationRequest) -> Response:
    resend_confirmation(body.org_slug, body.email)
    # R21: the same answer whatever the address.
    return json_response(
        202, {"message": "If this address awaits confirmation, a new link is on its way."}
    )


@app.post("/public/orgs/{slug}/forgot-login", body=ForgotLoginRequest)
def forgot(request: Request, slug: str, body: ForgotLoginRequest) -> Response:
    forgot_login(slug, body.email)
    # R21, R23: the same answer whatever the address.
    return json_response(
        202, {"message": "If this address has an account here, an email is on its way."}
    )


@app.post("/public/password-resets", body=PasswordResetRequest)
def reset(request: Request, body: PasswordResetRequest) -> dict[str, str]:
    reset_password(body.token, body.password)
    return {"message": "Your password is changed; please sign in again on every device."}


@app.post("/public/email-changes/confirm", body=EmailChangeConfirmationRequest)
def confirm_new_email(request: Request, body: EmailChangeConfirmationRequest) -> dict[str, str]:
    confirm_email_change(body.token)
    return {"message": "Your email is changed; please sign in again."}


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
