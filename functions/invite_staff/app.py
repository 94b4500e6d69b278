"""POST /staff: an org or department admin invites a staff member (R12, invited like R3);
POST /staff/{staff_id}/invitation resends it (R25); POST /staff/{staff_id}/password-reset
sends a reset email (R23)."""

from typing import Any

from clientaccounts.http import Request, Response, create_api, json_response, request_caller
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.recovery import send_staff_password_reset
from clientaccounts.schemas import InviteStaffRequest
from clientaccounts.staff import NewStaff, invite_staff_member, resend_staff_invitation

app = create_api()


@app.post("/staff", body=InviteStaffRequest)
def invite(request: Request, body: InviteStaffRequest) -> Response:
    return json_response(
        201, invite_staff_member(request_caller(request), NewStaff(**body.as_dict()))
    )


@app.post("/staff/{staff_id}/invitation")
def reinvite(request: Request, staff_id: str) -> Response:
    resend_staff_invitation(request_caller(request), staff_id)
    return json_response(202, {"message": "A new invitation is on its way."})


@app.post("/staff/{staff_id}/password-reset")
def password_reset(request: Request, staff_id: str) -> Response:
    send_staff_password_reset(request_caller(request), staff_id)
    return json_response(202, {"message": "A password-reset email is on its way."})


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
