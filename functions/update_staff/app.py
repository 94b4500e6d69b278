"""PATCH /staff/{staff_id}: roles, departments, notifications, active (R12);
DELETE /staff/{staff_id}: the staff member goes (R25); POST /staff/{staff_id}/mfa-reset: an
org_admin resets a lost second factor (R30)."""

from typing import Any

from clientaccounts.answers import Message, StaffView
from clientaccounts.auth import Caller
from clientaccounts.http import create_api
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.schemas import UpdateStaffRequest
from clientaccounts.staff import delete_staff_member, reset_staff_mfa, update_staff_member

app = create_api()


@app.patch("/staff/{staff_id}", body=UpdateStaffRequest, answer=StaffView)
def update(caller: Caller, staff_id: str, body: UpdateStaffRequest) -> StaffView:
    return update_staff_member(caller, staff_id, body)


@app.delete("/staff/{staff_id}")
def delete(caller: Caller, staff_id: str) -> None:
    delete_staff_member(caller, staff_id)


@app.post("/staff/{staff_id}/mfa-reset", answer=Message)
def mfa_reset(caller: Caller, staff_id: str) -> Message:
    reset_staff_mfa(caller, staff_id)
    return {"message": "The second factor was reset and every session ended; they were told."}


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
