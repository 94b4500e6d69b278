"""GET /public/orgs/{slug}: what a registration page shows (R5)."""

from typing import Any

from clientaccounts.answers import PublicOrganization
from clientaccounts.http import create_api
from clientaccounts.observability import LambdaContext, logger
from clientaccounts.organizations import public_organization_view

app = create_api()


@app.get("/public/orgs/{slug}", answer=PublicOrganization)
def get_public_organization(slug: str) -> PublicOrganization:
    return public_organization_view(slug)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
