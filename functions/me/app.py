"""The caller's own account: GET and PATCH /me, own email change (R24), the notice after a
password change (R23), and GET /me/connections (the Care App's list)."""

from typing import Any

from clientaccounts.associations import care_app_connections
from clientaccounts.http import Request, Response, create_api, json_response, request_caller
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.profile import (
    my_profile,
    report_password_changed,
    request_email_change,
    update_my_profile,
)
from clientaccounts.schemas import EmailChangeRequest, UpdateMeRequest

app = create_api()


@app.get("/me")
def me(request: Request) -> dict[str, Any]:
    return my_profile(request_caller(request))


@app.patch("/me", body=UpdateMeRequest)
def update_me(request: Request, body: UpdateMeRequest) -> dict[str, Any]:
    return update_my_profile(request_caller(request), body)


@app.post("/me/email-change", body=EmailChangeRequest)
def change_email(request: Request, body: EmailChangeRequest) -> Response:
    request_email_change(request_caller(request), body.email)
    return json_response(202, {"message": "A confirmation link is on its way to the new address."})


@app.post("/me/password-changed")
def password_changed(request: Request) -> Response:
    report_password_changed(request_caller(request))
    return json_response(202, {"message": "Every session has ended; please sign in again."})


@app.get("/me/connections")
def connections(request: Request) -> dict[str, Any]:
    """The Care App's list."""
    return care_app_connections(request_caller(request))


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
