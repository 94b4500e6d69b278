"""GET /clients (R14) and GET /clients/{client_id}."""

from typing import Any

from clientaccounts.clients import get_client_detail, list_clients
from clientaccounts.http import Request, create_api, request_caller
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.schemas import ClientListQuery

app = create_api()


@app.get("/clients", query=ClientListQuery)
def list_by_status(request: Request, query: ClientListQuery) -> dict[str, Any]:
    return list_clients(
        request_caller(request), status=query.status, limit=query.limit, cursor=query.cursor
    )


@app.get("/clients/{client_id}")
def read(request: Request, client_id: str) -> dict[str, Any]:
    return get_client_detail(request_caller(request), client_id)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
