"""GET /public/orgs/{slug}: what a registration page shows (R5)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from clientaccounts.http import create_api
from clientaccounts.observability import logger
from clientaccounts.organizations import public_organization_view

app = create_api()


@app.get("/public/orgs/<slug>")
def get_public_organization(slug: str) -> dict[str, Any]:
    return public_organization_view(slug)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
