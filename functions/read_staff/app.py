"""GET /staff (by role and department) and GET /staff/{staff_id} (with clients)."""

from typing import Any

from clientaccounts.answers import StaffPage, StaffView
from clientaccounts.auth import Caller
from clientaccounts.http import create_api
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.schemas import StaffListQuery
from clientaccounts.staff import get_staff_detail, list_staff_members

app = create_api()


@app.get("/staff", query=StaffListQuery, answer=StaffPage)
def list_members(caller: Caller, query: StaffListQuery) -> StaffPage:
    return list_staff_members(caller, role=query.role, department_id=query.department_id)


@app.get("/staff/{staff_id}", answer=StaffView)
def read(caller: Caller, staff_id: str) -> StaffView:
    return get_staff_detail(caller, staff_id)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
