"""POST /clients/{client_id}/invitation: a new invitation link; the older one is void (R3).
POST /clients/{client_id}/password-reset: the client gets a reset email (R23)."""

from typing import Any

from clientaccounts.clients import resend_invitation
from clientaccounts.http import Request, Response, create_api, json_response, request_caller
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.recovery import send_client_password_reset

app = create_api()


@app.post("/clients/{client_id}/invitation")
def invite(request: Request, client_id: str) -> Response:
    resend_invitation(request_caller(request), client_id)
    return json_response(202, {"message": "A new invitation is on its way."})


@app.post("/clients/{client_id}/password-reset")
def password_reset(request: Request, client_id: str) -> Response:
    send_client_password_reset(request_caller(request), client_id)
    return json_response(202, {"message": "A password-reset email is on its way."})


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
