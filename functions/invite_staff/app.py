"""POST /staff: an org or department admin invites a staff member (R12, invited like R3)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.utilities.typing import LambdaContext

from clientaccounts.http import create_api, json_response, request_caller
from clientaccounts.observability import logger
from clientaccounts.schemas import InviteStaffRequest
from clientaccounts.staff import NewStaff, invite_staff_member

app = create_api()


@app.post("/staff")
def invite(body: Annotated[InviteStaffRequest, Body()]) -> Response[str]:
    return json_response(
        201, invite_staff_member(request_caller(app), NewStaff(**body.model_dump()))
    )


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
