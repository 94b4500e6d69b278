"""DELETE /clients/{client_id}: the account and everything of it goes (R17)."""

from typing import Any

from clientaccounts.auth import Caller
from clientaccounts.clients import delete_client
from clientaccounts.http import create_api
from clientaccounts.observability import LambdaContext, logger

app = create_api()


@app.delete("/clients/{client_id}")
def delete(caller: Caller, client_id: str) -> None:
    delete_client(caller, client_id)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
