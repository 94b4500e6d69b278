"""The organization's settings and departments: GET/PATCH /org, GET/POST /departments."""

from typing import Any

from clientaccounts.http import Request, Response, create_api, json_response, request_caller
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.organizations import (
    create_department,
    departments_of,
    organization_settings,
    update_organization,
)
from clientaccounts.schemas import NewDepartmentRequest, UpdateOrganizationRequest

app = create_api()


@app.get("/org")
def read_settings(request: Request) -> dict[str, Any]:
    return organization_settings(request_caller(request))


@app.patch("/org", body=UpdateOrganizationRequest)
def update_settings(request: Request, body: UpdateOrganizationRequest) -> dict[str, Any]:
    return update_organization(
        request_caller(request), name=body.name, manual_approval=body.manual_approval
    )


@app.get("/departments")
def list_departments(request: Request) -> dict[str, Any]:
    return departments_of(request_caller(request))


@app.post("/departments", body=NewDepartmentRequest)
def add_department(request: Request, body: NewDepartmentRequest) -> Response:
    return json_response(201, create_department(request_caller(request), body.name))


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
