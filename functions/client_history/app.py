"""GET /clients/{client_id}/history: the client's audit trail (R20), and
GET /clients/{client_id}/access-log: who on the staff read the client (R29)."""

from typing import Any

from clientaccounts.access_log import client_access_log
from clientaccounts.answers import AccessLogPage, HistoryPage
from clientaccounts.auth import Caller
from clientaccounts.history import client_history
from clientaccounts.http import create_api
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.schemas import AccessLogQuery, HistoryQuery

app = create_api()


@app.get("/clients/{client_id}/history", query=HistoryQuery, answer=HistoryPage)
def history(caller: Caller, client_id: str, query: HistoryQuery) -> HistoryPage:
    return client_history(caller, client_id, limit=query.limit, cursor=query.cursor)


@app.get("/clients/{client_id}/access-log", query=AccessLogQuery, answer=AccessLogPage)
def access_log(caller: Caller, client_id: str, query: AccessLogQuery) -> AccessLogPage:
    return client_access_log(caller, client_id, limit=query.limit, cursor=query.cursor)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
