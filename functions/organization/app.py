"""The organization's settings and departments: GET/PATCH /org, GET/POST /departments,
PATCH /departments/{department_id}."""

from typing import Any

from clientaccounts.answers import DepartmentDetail, Departments, OrganizationView
from clientaccounts.auth import Caller
from clientaccounts.http import create_api
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.organizations import (
    create_department,
    departments_of,
    organization_settings,
    update_department,
    update_organization,
)
from clientaccounts.schemas import (
    NewDepartmentRequest,
    UpdateDepartmentRequest,
    UpdateOrganizationRequest,
)

app = create_api()


@app.get("/org", answer=OrganizationView)
def read_settings(caller: Caller) -> OrganizationView:
    return organization_settings(caller)


@app.patch("/org", body=UpdateOrganizationRequest, answer=OrganizationView)
def update_settings(caller: Caller, body: UpdateOrganizationRequest) -> OrganizationView:
    return update_organization(caller, body)


@app.get("/departments", answer=Departments)
def list_departments(caller: Caller) -> Departments:
    return departments_of(caller)


@app.post("/departments", body=NewDepartmentRequest, status=201, answer=DepartmentDetail)
def add_department(caller: Caller, body: NewDepartmentRequest) -> DepartmentDetail:
    return create_department(caller, body)


@app.patch("/departments/{department_id}", body=UpdateDepartmentRequest, answer=DepartmentDetail)
def change_department(
    caller: Caller, department_id: str, body: UpdateDepartmentRequest
) -> DepartmentDetail:
    return update_department(caller, department_id, body)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
