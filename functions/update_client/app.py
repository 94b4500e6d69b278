"""PATCH /clients/{client_id}: field edits and active/inactive (R15)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.utilities.typing import LambdaContext

from clientaccounts.clients import ClientChanges, update_client
from clientaccounts.http import create_api, request_caller
from clientaccounts.observability import logger
from clientaccounts.schemas import UpdateClientRequest

app = create_api()


@app.patch("/clients/<client_id>")
def update(client_id: str, body: Annotated[UpdateClientRequest, Body()]):  # type: ignore[no-untyped-def]
    changes = ClientChanges(given=frozenset(body.model_fields_set), **body.model_dump())
    return update_client(request_caller(app), client_id, changes)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
