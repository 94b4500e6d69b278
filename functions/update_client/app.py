"""PATCH /clients/{client_id}: field edits and active/inactive (R15)."""

from typing import Any

from clientaccounts.clients import ClientChanges, update_client
from clientaccounts.http import Request, create_api, request_caller
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.schemas import UpdateClientRequest

app = create_api()


@app.patch("/clients/{client_id}", body=UpdateClientRequest)
def update(request: Request, client_id: str, body: UpdateClientRequest) -> dict[str, Any]:
    changes = ClientChanges(given=body.fields_given, **body.as_dict())
    return update_client(request_caller(request), client_id, changes)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
