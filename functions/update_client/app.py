"""PATCH /clients/{client_id}: field edits and active/inactive (R15)."""

from typing import Any

from clientaccounts.answers import ClientView
from clientaccounts.auth import Caller
from clientaccounts.clients import update_client
from clientaccounts.http import create_api
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.schemas import UpdateClientRequest

app = create_api()


@app.patch("/clients/{client_id}", body=UpdateClientRequest, answer=ClientView)
def update(caller: Caller, client_id: str, body: UpdateClientRequest) -> ClientView:
    return update_client(caller, client_id, body)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
