"""Client-practitioner associations from either side (R11):
POST /clients/{client_id}/practitioners, POST /staff/{staff_id}/clients,
DELETE /clients/{client_id}/practitioners/{practitioner_id}."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.utilities.typing import LambdaContext

from clientaccounts.associations import (
    associate_client_with_practitioner,
    dissociate_client_from_practitioner,
)
from clientaccounts.http import create_api, json_response, request_caller
from clientaccounts.observability import logger
from clientaccounts.schemas import AssociateRequest, PractitionerClientRequest

app = create_api()


@app.post("/clients/<client_id>/practitioners")
def from_client_side(client_id: str, body: Annotated[AssociateRequest, Body()]) -> Response[str]:
    association = associate_client_with_practitioner(
        request_caller(app), client_id, body.practitioner_id, body.department_id
    )
    return json_response(201, association)


@app.post("/staff/<staff_id>/clients")
def from_practitioner_side(
    staff_id: str, body: Annotated[PractitionerClientRequest, Body()]
) -> Response[str]:
    association = associate_client_with_practitioner(
        request_caller(app), body.client_id, staff_id, body.department_id
    )
    return json_response(201, association)


@app.delete("/clients/<client_id>/practitioners/<practitioner_id>")
def remove(client_id: str, practitioner_id: str) -> Response[str]:
    dissociate_client_from_practitioner(request_caller(app), client_id, practitioner_id)
    return json_response(204)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
