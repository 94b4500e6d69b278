"""POST /staff: an org or department admin invites a staff member (R12, invited like R3);
POST /staff/{staff_id}/invitation resends it (R25); POST /staff/{staff_id}/password-reset
sends a reset email (R23)."""

from typing import Any

from clientaccounts.answers import Message, StaffView
from clientaccounts.auth import Caller
from clientaccounts.http import create_api
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.recovery import send_staff_password_reset
from clientaccounts.schemas import InviteStaffRequest
from clientaccounts.staff import invite_staff_member, resend_staff_invitation

app = create_api()


@app.post("/staff", body=InviteStaffRequest, status=201, answer=StaffView)
def invite(caller: Caller, body: InviteStaffRequest) -> StaffView:
    return invite_staff_member(caller, body)


@app.post("/staff/{staff_id}/invitation", status=202, answer=Message)
def reinvite(caller: Caller, staff_id: str) -> Message:
    resend_staff_invitation(caller, staff_id)
    return {"message": "A new invitation is on its way."}


@app.post("/staff/{staff_id}/password-reset", status=202, answer=Message)
def password_reset(caller: Caller, staff_id: str) -> Message:
    send_staff_password_reset(caller, staff_id)
    return {"message": "A password-reset email is on its way."}


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
