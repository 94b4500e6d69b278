"""GET /clients/{client_id}/history: the client's audit trail (R20)."""

from typing import Any

from clientaccounts.history import client_history
from clientaccounts.http import Request, create_api, request_caller
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.schemas import HistoryQuery

app = create_api()


@app.get("/clients/{client_id}/history", query=HistoryQuery)
def history(request: Request, client_id: str, query: HistoryQuery) -> dict[str, Any]:
    return client_history(
        request_caller(request), client_id, limit=query.limit, cursor=query.cursor
    )


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
