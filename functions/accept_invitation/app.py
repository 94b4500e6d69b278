"""POST /public/invitations/accept: username and password chosen on the invitation (R4)."""

from typing import Any

from clientaccounts.answers import StatusAnswer
from clientaccounts.http import create_api
from clientaccounts.invitations import accept_invitation
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.schemas import AcceptInvitationRequest

app = create_api()


@app.post("/public/invitations/accept", body=AcceptInvitationRequest, answer=StatusAnswer)
def accept(body: AcceptInvitationRequest) -> StatusAnswer:
    return {"status": accept_invitation(body.token, body.username, body.password)}


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
