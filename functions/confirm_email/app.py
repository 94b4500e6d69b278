"""POST /public/email-confirmations: the address is confirmed and username and password are
chosen (R9, R10); POST /public/email-confirmations/resend."""

from typing import Any

from clientaccounts.http import Request, Response, create_api, json_response
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.registration import confirm_email, resend_confirmation
from clientaccounts.schemas import EmailConfirmationRequest, ResendConfirmationRequest

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


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
