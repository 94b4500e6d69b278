"""GET /staff (by role and department) and GET /staff/{staff_id} (with clients)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from clientaccounts.http import create_api, request_caller
from clientaccounts.observability import logger
from clientaccounts.staff import get_staff_detail, list_staff_members

app = create_api()


@app.get("/staff")
def list_members(
    role: Annotated[str | None, Query(max_length=32)] = None,
    department_id: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    return list_staff_members(request_caller(app), role=role, department_id=department_id)


@app.get("/staff/<staff_id>")
def read(staff_id: str) -> dict[str, Any]:
    return get_staff_detail(request_caller(app), staff_id)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
