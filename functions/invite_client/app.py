"""POST /clients/{client_id}/invitation: a new invitation link; the older one is void (R3)."""

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from clientaccounts.clients import resend_invitation
from clientaccounts.http import create_api, json_response, request_caller
from clientaccounts.observability import logger

app = create_api()


@app.post("/clients/<client_id>/invitation")
def invite(client_id: str) -> Response[str]:
    resend_invitation(request_caller(app), client_id)
    return json_response(202, {"message": "A new invitation is on its way."})


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
