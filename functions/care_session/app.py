"""POST /care-sessions: a practitioner records that a Care session took place with an
associated active client (R26). A function of its own: it writes to both accounts' records
and nothing else, so its role grants only that (MeFunction's manages logins)."""

from typing import Any

from clientaccounts.answers import CareSessionView
from clientaccounts.auth import Caller
from clientaccounts.care_sessions import record_care_session
from clientaccounts.http import create_api
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.schemas import CareSessionRequest

app = create_api()


@app.post("/care-sessions", body=CareSessionRequest, status=201, answer=CareSessionView)
def record(caller: Caller, body: CareSessionRequest) -> CareSessionView:
    return record_care_session(caller, body.client_id)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
