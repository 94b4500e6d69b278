"""GET /clients (R14: by status, name prefix, email, newest first; R25: unassigned) and
GET /clients/{client_id}."""

from typing import Any

from clientaccounts.answers import ClientPage, ClientView
from clientaccounts.auth import Caller
from clientaccounts.clients import get_client_detail, list_clients
from clientaccounts.http import create_api
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.schemas import ClientListQuery

app = create_api()


@app.get("/clients", query=ClientListQuery, answer=ClientPage)
def list_by_status(caller: Caller, query: ClientListQuery) -> ClientPage:
    return list_clients(
        caller,
        # Absent, a list is of active clients and an email search of any status.
        status=query.status if "status" in query.fields_given else None,
        limit=query.limit,
        cursor=query.cursor,
        q=query.q,
        email=query.email,
        sort=query.sort,
        unassigned=query.unassigned,
    )


@app.get("/clients/{client_id}", answer=ClientView)
def read(caller: Caller, client_id: str) -> ClientView:
    return get_client_detail(caller, client_id)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
