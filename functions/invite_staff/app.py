"""POST /staff: an org or department admin invites a staff member (R12, invited like R3)."""

from typing import Any

from clientaccounts.http import Request, Response, create_api, json_response, request_caller
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.schemas import InviteStaffRequest
from clientaccounts.staff import NewStaff, invite_staff_member

app = create_api()


@app.post("/staff", body=InviteStaffRequest)
def invite(request: Request, body: InviteStaffRequest) -> Response:
    return json_response(
        201, invite_staff_member(request_caller(request), NewStaff(**body.as_dict()))
    )


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
