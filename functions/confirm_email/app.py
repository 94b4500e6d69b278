"""POST /public/email-confirmations (R9, R10) and /public/email-confirmations/resend."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.utilities.typing import LambdaContext

from clientaccounts.http import create_api, json_response
from clientaccounts.observability import logger
from clientaccounts.registration import confirm_email, resend_confirmation
from clientaccounts.schemas import EmailConfirmationRequest, ResendConfirmationRequest

app = create_api()


@app.post("/public/email-confirmations")
def confirm(body: Annotated[EmailConfirmationRequest, Body()]):  # type: ignore[no-untyped-def]
    return {"status": confirm_email(body.token)}


@app.post("/public/email-confirmations/resend")
def resend(body: Annotated[ResendConfirmationRequest, Body()]):  # type: ignore[no-untyped-def]
    resend_confirmation(body.org_slug, body.email)
    # R21: the same answer whatever the address.
    return json_response(
        202, {"message": "If this address awaits confirmation, a new link is on its way."}
    )


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
