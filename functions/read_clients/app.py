"""GET /clients (R14) and GET /clients/{client_id}."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from clientaccounts.clients import get_client_detail, list_clients
from clientaccounts.http import create_api, request_caller
from clientaccounts.observability import logger

app = create_api()


@app.get("/clients")
def list_by_status(  # type: ignore[no-untyped-def]
    status: Annotated[str, Query(max_length=16)] = "active",
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
):
    return list_clients(request_caller(app), status=status, limit=limit, cursor=cursor)


@app.get("/clients/<client_id>")
def read(client_id: str) -> dict[str, Any]:
    return get_client_detail(request_caller(app), client_id)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
