"""POST /public/orgs/{slug}/registrations: self-registration (R5-R8, R21)."""

from typing import Any

from clientaccounts.answers import Message
from clientaccounts.http import create_api
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.registration import register_client
from clientaccounts.schemas import RegistrationRequest

app = create_api()


@app.post("/public/orgs/{slug}/registrations", body=RegistrationRequest, status=202, answer=Message)
def register(slug: str, body: RegistrationRequest) -> Message:
    register_client(slug, body)
    # R21: the same answer whether or not the email is already known.
    return {
        "message": "Thank you. Please check your email: we sent you a link to confirm your address."
    }


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
