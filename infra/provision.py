"""Creates what template.yaml declares (tables, user pool, app clients, the app-clients
parameter, the SES sender and configuration set) against a non-AWS endpoint: moto in tests
and in the local stack.

It also resolves each function's environment the way CloudFormation would, so code runs
locally with the configuration it gets when deployed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .template import function_properties, load_template, resources_of_type

LOCAL_STACK_NAME = "local"


@dataclass
class Provisioned:
    user_pool_id: str
    portal_client_id: str
    care_app_client_id: str
    refs: dict[str, str] = field(default_factory=dict)  # logical id -> physical id

    def function_environment(self, logical_id: str) -> dict[str, str]:
        """Globals plus the function's own variables, resolved."""
        environment = function_properties(logical_id).get("Environment") or {}
        return {k: self.resolve(v) for k, v in (environment.get("Variables") or {}).items()}

    def all_functions_environment(self) -> dict[str, str]:
        env: dict[str, str] = {}
        for name in resources_of_type("AWS::Serverless::Function"):
            env.update(self.function_environment(name))
        return env

    def resolve(self, value: Any) -> str:
        if isinstance(value, str):
            return value
        if "Ref" in value:
            return self.refs[value["Ref"]]
        if "Fn::Sub" in value and isinstance(value["Fn::Sub"], str):
            return re.sub(r"\$\{([^}]+)\}", lambda m: self.refs[m.group(1)], value["Fn::Sub"])
        raise ValueError(f"cannot resolve {value!r} locally")


def _parameter_defaults(template: dict[str, Any]) -> dict[str, str]:
    return {k: str(v.get("Default", "")) for k, v in template.get("Parameters", {}).items()}


def create_tables(dynamodb: Any, template: dict[str, Any]) -> dict[str, str]:
    names = {}
    for name, resource in resources_of_type("AWS::DynamoDB::Table", template).items():
        props = resource["Properties"]
        kwargs: dict[str, Any] = {
            "TableName": name,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
        }
        if props.get("GlobalSecondaryIndexes"):
            kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        if props.get("StreamSpecification"):
            kwargs["StreamSpecification"] = {
                "StreamEnabled": True,
                **props["StreamSpecification"],
            }
        dynamodb.create_table(**kwargs)
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        names[name] = name
    return names


def create_user_pool(cognito: Any, template: dict[str, Any]) -> dict[str, str]:
    pools = resources_of_type("AWS::Cognito::UserPool", template)
    ((pool_name, pool),) = pools.items()
    props = pool["Properties"]
    created = cognito.create_user_pool(
        PoolName=f"{LOCAL_STACK_NAME}-users",
        Policies=props["Policies"],
        UsernameConfiguration=props["UsernameConfiguration"],
        AdminCreateUserConfig=props["AdminCreateUserConfig"],
        Schema=[
            {
                "Name": a["Name"],
                "AttributeDataType": a["AttributeDataType"],
                "Mutable": a["Mutable"],
            }
            for a in props["Schema"]
        ],
    )
    refs = {pool_name: created["UserPool"]["Id"]}
    # R30: TOTP, optional per login (moto's create_user_pool takes no MFA settings).
    cognito.set_user_pool_mfa_config(
        UserPoolId=refs[pool_name],
        SoftwareTokenMfaConfiguration={
            "Enabled": "SOFTWARE_TOKEN_MFA" in props.get("EnabledMfas", [])
        },
        MfaConfiguration=props["MfaConfiguration"],
    )
    for name, resource in resources_of_type("AWS::Cognito::UserPoolClient", template).items():
        client_props = resource["Properties"]
        made = cognito.create_user_pool_client(
            UserPoolId=refs[pool_name],
            ClientName=client_props["ClientName"],
            GenerateSecret=client_props["GenerateSecret"],
            ExplicitAuthFlows=client_props["ExplicitAuthFlows"],
            PreventUserExistenceErrors=client_props["PreventUserExistenceErrors"],
        )
        refs[name] = made["UserPoolClient"]["ClientId"]
    return refs


def provision(session: Any, endpoint_url: str | None = None) -> Provisioned:
    """Create every resource the functions use; `session` is a boto3 Session."""
    template = load_template()

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=endpoint_url)

    refs: dict[str, str] = {"AWS::StackName": LOCAL_STACK_NAME, **_parameter_defaults(template)}
    refs["AWS::Region"] = session.region_name
    refs.update(create_tables(client("dynamodb"), template))
    refs.update(create_user_pool(client("cognito-idp"), template))

    provisioned = Provisioned(
        user_pool_id=refs["UserPool"],
        portal_client_id=refs["PortalAppClient"],
        care_app_client_id=refs["CareAppClient"],
        refs=refs,
    )
    parameter = resources_of_type("AWS::SSM::Parameter", template)["AppClientsParameter"]
    client("ssm").put_parameter(
        Name=provisioned.resolve(parameter["Properties"]["Name"]),
        Type="String",
        Value=json.dumps(
            {"portal": provisioned.portal_client_id, "care_app": provisioned.care_app_client_id}
        ),
        Overwrite=True,
    )
    ses = client("sesv2")
    ses.create_email_identity(EmailIdentity=refs["SenderAddress"])
    # R31: the set every email is sent with; its events are simulated (infra.ses_events).
    for name, resource in resources_of_type("AWS::SES::ConfigurationSet", template).items():
        props = resource["Properties"]
        refs[name] = provisioned.resolve(props["Name"])
        ses.create_configuration_set(
            ConfigurationSetName=refs[name], DeliveryOptions=props["DeliveryOptions"]
        )
    return provisioned
