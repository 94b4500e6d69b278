"""DELETE /clients/{client_id}: the account and everything of it goes (R17)."""

from typing import Any

from clientaccounts.clients import delete_client
from clientaccounts.http import Request, Response, create_api, json_response, request_caller
from clientaccounts.observability import LambdaContext, logger

app = create_api()


@app.delete("/clients/{client_id}")
def delete(request: Request, client_id: str) -> Response:
    delete_client(request_caller(request), client_id)
    return json_response(204)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
