"""POST /clients: a client manager creates and invites a client (R1-R3)."""

from typing import Any

from clientaccounts.answers import ClientView
from clientaccounts.auth import Caller
from clientaccounts.clients import IDEMPOTENCY_KEY, create_client
from clientaccounts.http import Request, create_api
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.schemas import CreateClientRequest

app = create_api()


@app.post("/clients", body=CreateClientRequest, status=201, answer=ClientView)
def create(request: Request, caller: Caller, body: CreateClientRequest) -> ClientView:
    return create_client(caller, body, idempotency_key=request.header(IDEMPOTENCY_KEY))


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
