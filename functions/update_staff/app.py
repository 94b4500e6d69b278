"""PATCH /staff/{staff_id}: roles, departments, notifications, active (R12)."""

from typing import Any

from clientaccounts.http import Request, create_api, request_caller
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.schemas import UpdateStaffRequest
from clientaccounts.staff import StaffChanges, update_staff_member

app = create_api()


@app.patch("/staff/{staff_id}", body=UpdateStaffRequest)
def update(request: Request, staff_id: str, body: UpdateStaffRequest) -> dict[str, Any]:
    return update_staff_member(request_caller(request), staff_id, StaffChanges(**body.as_dict()))


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
