"""GET /clients/{client_id}/history: the client's audit trail (R20)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from clientaccounts.history import client_history
from clientaccounts.http import create_api, request_caller
from clientaccounts.observability import logger

app = create_api()


@app.get("/clients/<client_id>/history")
def history(
    client_id: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> dict[str, Any]:
    return client_history(request_caller(app), client_id, limit=limit, cursor=cursor)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
