"""Client-practitioner associations from either side (R11):
POST /clients/{client_id}/practitioners, POST /staff/{staff_id}/clients,
DELETE /clients/{client_id}/practitioners/{practitioner_id}."""

from typing import Any

from clientaccounts.associations import (
    associate_client_with_practitioner,
    dissociate_client_from_practitioner,
)
from clientaccounts.http import Request, Response, create_api, json_response, request_caller
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.schemas import AssociateRequest, PractitionerClientRequest

app = create_api()


@app.post("/clients/{client_id}/practitioners", body=AssociateRequest)
def from_client_side(request: Request, client_id: str, body: AssociateRequest) -> Response:
    association = associate_client_with_practitioner(
        request_caller(request), client_id, body.practitioner_id, body.department_id
    )
    return json_response(201, association)


@app.post("/staff/{staff_id}/clients", body=PractitionerClientRequest)
def from_practitioner_side(
    request: Request, staff_id: str, body: PractitionerClientRequest
) -> Response:
    association = associate_client_with_practitioner(
        request_caller(request), body.client_id, staff_id, body.department_id
    )
    return json_response(201, association)


@app.delete("/clients/{client_id}/practitioners/{practitioner_id}")
def remove(request: Request, client_id: str, practitioner_id: str) -> Response:
    dissociate_client_from_practitioner(request_caller(request), client_id, practitioner_id)
    return json_response(204)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
