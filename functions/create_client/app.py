"""POST /clients: a client manager creates and invites a client (R1-R3)."""

from typing import Any

from clientaccounts.clients import NewClient, PractitionerRequest, create_client
from clientaccounts.http import Request, Response, create_api, json_response, request_caller
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.schemas import CreateClientRequest

app = create_api()


@app.post("/clients", body=CreateClientRequest)
def create(request: Request, body: CreateClientRequest) -> Response:
    fields = body.as_dict()
    new = NewClient(
        **{**fields, "practitioners": [PractitionerRequest(**p) for p in fields["practitioners"]]}
    )
    key = request.header("Idempotency-Key")
    return json_response(201, create_client(request_caller(request), new, idempotency_key=key))


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
