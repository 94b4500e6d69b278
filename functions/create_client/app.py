"""POST /clients: a client manager creates and invites a client (R1-R3)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.utilities.typing import LambdaContext

from clientaccounts.clients import NewClient, PractitionerRequest, create_client
from clientaccounts.http import create_api, json_response, request_caller
from clientaccounts.observability import logger
from clientaccounts.schemas import CreateClientRequest

app = create_api()


@app.post("/clients")
def create(body: Annotated[CreateClientRequest, Body()]):  # type: ignore[no-untyped-def]
    fields = body.model_dump(exclude={"practitioners"})
    new = NewClient(
        **fields,
        practitioners=[PractitionerRequest(**p.model_dump()) for p in body.practitioners],
    )
    key = app.current_event.headers.get("Idempotency-Key")
    return json_response(201, create_client(request_caller(app), new, idempotency_key=key))


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
