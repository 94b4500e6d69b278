"""POST /public/invitations/accept: the invited client chooses username and password (R4)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.utilities.typing import LambdaContext

from clientaccounts.http import create_api
from clientaccounts.invitations import accept_invitation
from clientaccounts.observability import logger
from clientaccounts.schemas import AcceptInvitationRequest

app = create_api()


@app.post("/public/invitations/accept")
def accept(body: Annotated[AcceptInvitationRequest, Body()]):  # type: ignore[no-untyped-def]
    return {"status": accept_invitation(body.token, body.username, body.password)}


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
