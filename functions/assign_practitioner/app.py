"""Client-practitioner associations from either side (R11):
POST /clients/{client_id}/practitioners, POST /staff/{staff_id}/clients,
DELETE /clients/{client_id}/practitioners/{practitioner_id}."""

from typing import Any

from clientaccounts.answers import AssociationView
from clientaccounts.associations import (
    associate_client_with_practitioner,
    dissociate_client_from_practitioner,
)
from clientaccounts.auth import Caller
from clientaccounts.http import create_api
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.schemas import AssociateRequest, PractitionerClientRequest

app = create_api()


@app.post(
    "/clients/{client_id}/practitioners", body=AssociateRequest, status=201, answer=AssociationView
)
def from_client_side(caller: Caller, client_id: str, body: AssociateRequest) -> AssociationView:
    return associate_client_with_practitioner(
        caller, client_id, body.practitioner_id, body.department_id
    )


@app.post(
    "/staff/{staff_id}/clients", body=PractitionerClientRequest, status=201, answer=AssociationView
)
def from_practitioner_side(
    caller: Caller, staff_id: str, body: PractitionerClientRequest
) -> AssociationView:
    return associate_client_with_practitioner(caller, body.client_id, staff_id, body.department_id)


@app.delete("/clients/{client_id}/practitioners/{practitioner_id}")
def remove(caller: Caller, client_id: str, practitioner_id: str) -> None:
    dissociate_client_from_practitioner(caller, client_id, practitioner_id)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
