"""PATCH /staff/{staff_id}: roles, departments, notifications, active (R12)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.utilities.typing import LambdaContext

from clientaccounts.http import create_api, request_caller
from clientaccounts.observability import logger
from clientaccounts.schemas import UpdateStaffRequest
from clientaccounts.staff import StaffChanges, update_staff_member

app = create_api()


@app.patch("/staff/<staff_id>")
def update(staff_id: str, body: Annotated[UpdateStaffRequest, Body()]) -> dict[str, Any]:
    return update_staff_member(request_caller(app), staff_id, StaffChanges(**body.model_dump()))


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
