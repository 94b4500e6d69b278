"""The organization's settings and departments: GET/PATCH /org, GET/POST /departments."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.utilities.typing import LambdaContext

from clientaccounts.http import create_api, json_response, request_caller
from clientaccounts.observability import logger
from clientaccounts.organizations import (
    create_department,
    departments_of,
    organization_settings,
    update_organization,
)
from clientaccounts.schemas import NewDepartmentRequest, UpdateOrganizationRequest

app = create_api()


@app.get("/org")
def read_settings() -> dict[str, Any]:
    return organization_settings(request_caller(app))


@app.patch("/org")
def update_settings(body: Annotated[UpdateOrganizationRequest, Body()]) -> dict[str, Any]:
    return update_organization(
        request_caller(app), name=body.name, manual_approval=body.manual_approval
    )


@app.get("/departments")
def list_departments() -> dict[str, Any]:
    return departments_of(request_caller(app))


@app.post("/departments")
def add_department(body: Annotated[NewDepartmentRequest, Body()]) -> Response[str]:
    return json_response(201, create_department(request_caller(app), body.name))


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
