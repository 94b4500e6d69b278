"""GET /staff (by role and department) and GET /staff/{staff_id} (with clients)."""

from typing import Any

from clientaccounts.http import Request, create_api, request_caller
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.schemas import StaffListQuery
from clientaccounts.staff import get_staff_detail, list_staff_members

app = create_api()


@app.get("/staff", query=StaffListQuery)
def list_members(request: Request, query: StaffListQuery) -> dict[str, Any]:
    return list_staff_members(
        request_caller(request), role=query.role, department_id=query.department_id
    )


@app.get("/staff/{staff_id}")
def read(request: Request, staff_id: str) -> dict[str, Any]:
    return get_staff_detail(request_caller(request), staff_id)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
