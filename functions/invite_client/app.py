"""POST /clients/{client_id}/invitation: a new invitation link; the older one is void (R3).
POST /clients/{client_id}/password-reset: the client gets a reset email (R23)."""

from typing import Any

from clientaccounts.answers import Message
from clientaccounts.auth import Caller
from clientaccounts.clients import resend_invitation
from clientaccounts.http import create_api
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.recovery import send_client_password_reset

app = create_api()


@app.post("/clients/{client_id}/invitation", status=202, answer=Message)
def invite(caller: Caller, client_id: str) -> Message:
    resend_invitation(caller, client_id)
    return {"message": "A new invitation is on its way."}


@app.post("/clients/{client_id}/password-reset", status=202, answer=Message)
def password_reset(caller: Caller, client_id: str) -> Message:
    send_client_password_reset(caller, client_id)
    return {"message": "A password-reset email is on its way."}


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
