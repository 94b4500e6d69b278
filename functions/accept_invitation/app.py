"""POST /public/invitations/accept: the invited client chooses username and password (R4)."""

from typing import Any

from clientaccounts.http import Request, create_api
from clientaccounts.invitations import accept_invitation
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.schemas import AcceptInvitationRequest

app = create_api()


@app.post("/public/invitations/accept", body=AcceptInvitationRequest)
def accept(request: Request, body: AcceptInvitationRequest) -> dict[str, str]:
    return {"status": accept_invitation(body.token, body.username, body.password)}


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
