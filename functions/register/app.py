"""POST /public/orgs/{slug}/registrations: self-registration (R5-R8, R21)."""

from typing import Any

from clientaccounts.http import Request, Response, create_api, json_response
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.registration import register_client
from clientaccounts.schemas import RegistrationRequest

app = create_api()

# R21: the same answer whether or not the email is already known.
ACCEPTED = {
    "message": "Thank you. Please check your email: we sent you a link to confirm your address."
}


@app.post("/public/orgs/{slug}/registrations", body=RegistrationRequest)
def register(request: Request, slug: str, body: RegistrationRequest) -> Response:
    register_client(slug, body)
    return json_response(202, ACCEPTED)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
