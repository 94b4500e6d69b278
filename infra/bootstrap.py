"""Create a new organization and its first org admin (with a Cognito login).

How a new practice starts. Against a deployed stack:

    python -m infra.bootstrap --stack-name client-accounts-prod --slug smith-therapy \\
        --name "Smith Therapy" --kind individual --department "Main office" \\
        --admin-username jsmith --admin-email j.smith@example.org \\
        --admin-first-name Jo --admin-last-name Smith

The password is asked for (or read from ADMIN_PASSWORD), never passed as an argument, so it
stays out of shell history. Without --stack-name the environment must already name the
tables and the pool (as the functions' environment does); AWS_ENDPOINT_URL points it at any
endpoint. The local stack's POST /_local/orgs runs the same `bootstrap_organization`.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from typing import Any

# CloudFormation output -> the environment variable the shared package reads.
OUTPUT_VARIABLES = {
    "OrganizationsTableName": "ORGANIZATIONS_TABLE",
    "DepartmentsTableName": "DEPARTMENTS_TABLE",
    "StaffTableName": "STAFF_TABLE",
    "ClientsTableName": "CLIENTS_TABLE",
    "AssociationsTableName": "ASSOCIATIONS_TABLE",
    "GuardsTableName": "GUARDS_TABLE",
    "LinksTableName": "LINKS_TABLE",
    "OutboxTableName": "OUTBOX_TABLE",
    "AuditTableName": "AUDIT_TABLE",
    "UserPoolId": "USER_POOL_ID",
}


def environment_from_stack(stack_name: str, cloudformation: Any) -> dict[str, str]:
    stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    missing = sorted(set(OUTPUT_VARIABLES) - set(outputs))
    if missing:
        raise SystemExit(f"stack {stack_name} lacks outputs: {', '.join(missing)}")
    return {variable: outputs[key] for key, variable in OUTPUT_VARIABLES.items()}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack-name", help="read table names and pool id from this stack")
    parser.add_argument("--slug", required=True, help="the portal address; never changes")
    parser.add_argument("--name", required=True)
    parser.add_argument("--kind", choices=["organization", "individual"], default="organization")
    parser.add_argument("--manual-approval", action="store_true")
    parser.add_argument("--department", action="append", default=[], dest="departments")
    parser.add_argument("--admin-username", required=True)
    parser.add_argument("--admin-email", required=True)
    parser.add_argument("--admin-first-name", required=True)
    parser.add_argument("--admin-last-name", required=True)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.stack_name:
        import boto3

        cloudformation = boto3.client(
            "cloudformation", endpoint_url=os.environ.get("AWS_ENDPOINT_URL")
        )
        os.environ.update(environment_from_stack(args.stack_name, cloudformation))
    password = os.environ.get("ADMIN_PASSWORD") or getpass.getpass("Admin password: ")

    # Imported after the environment is complete: settings are read once.
    from clientaccounts.errors import DomainError
    from clientaccounts.organizations import FirstAdmin, NewOrganization, bootstrap_organization

    try:
        result = bootstrap_organization(
            NewOrganization(
                slug=args.slug,
                name=args.name,
                kind=args.kind,
                manual_approval=args.manual_approval,
                departments=args.departments or ["General"],
                admin=FirstAdmin(
                    username=args.admin_username,
                    password=password,
                    email=args.admin_email,
                    first_name=args.admin_first_name,
                    last_name=args.admin_last_name,
                ),
            )
        )
    except DomainError as exc:
        where = f" ({exc.field})" if exc.field else ""
        print(f"refused{where}: {exc.message}", file=sys.stderr)
        return 2
    print(
        json.dumps(
            {
                "org": result.org,
                "departments": result.departments,
                "admin": {"id": result.admin_id},
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
