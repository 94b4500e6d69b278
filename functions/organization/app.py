"""The organization's settings and departments: GET/PATCH /org, GET/POST /departments."""

from typing import Any

from clientaccounts.answers import Departments, DepartmentView, OrganizationView
from clientaccounts.auth import Caller
from clientaccounts.http import create_api
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.organizations import (
    create_department,
    departments_of,
    organization_settings,
    update_organization,
)
from clientaccounts.schemas import NewDepartmentRequest, UpdateOrganizationRequest

app = create_api()


@app.get("/org", answer=OrganizationView)
def read_settings(caller: Caller) -> OrganizationView:
    return organization_settings(caller)


@app.patch("/org", body=UpdateOrganizationRequest, answer=OrganizationView)
def update_settings(caller: Caller, body: UpdateOrganizationRequest) -> OrganizationView:
    return update_organization(caller, name=body.name, manual_approval=body.manual_approval)


@app.get("/departments", answer=Departments)
def list_departments(caller: Caller) -> Departments:
    return departments_of(caller)


@app.post("/departments", body=NewDepartmentRequest, status=201, answer=DepartmentView)
def add_department(caller: Caller, body: NewDepartmentRequest) -> DepartmentView:
    return create_department(caller, body.name)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
