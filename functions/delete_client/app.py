"""DELETE /clients/{client_id}: the account and everything of it goes (R17)."""

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from clientaccounts.clients import delete_client
from clientaccounts.http import create_api, json_response, request_caller
from clientaccounts.observability import logger

app = create_api()


@app.delete("/clients/<client_id>")
def delete(client_id: str) -> Response[str]:
    delete_client(request_caller(app), client_id)
    return json_response(204)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
