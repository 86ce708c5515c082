"""AWS::SecretsManager::Secret and AWS::SecretsManager::SecretTargetAttachment.

AWS: a Secret resource stores SecretString, or generates one from GenerateSecretString (a random
password, or a JSON object = SecretStringTemplate plus GenerateStringKey set to the password).
Ref and GetAtt Id return the secret's ARN. A SecretTargetAttachment adds the database's
connection details (engine, host, port, and the cluster or instance identifier) to the secret's
JSON; its Ref is the secret's ARN too.
moto 5.2.1: neither type exists in CloudFormation; the stack skips them silently, so every output
built from them vanishes.
Here: both are backed by moto's secretsmanager backend (create_secret / put_secret_value), so
GetSecretValue returns what AWS would hold. KmsKeyId is accepted and ignored (moto's KMS is not
consulted for secrets).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from moto.core.common_models import CloudFormationModel

from .base import Resource, flag, number, tag_list, typed


def _backend(account_id: str, region_name: str) -> Any:
    from moto.secretsmanager.models import secretsmanager_backends

    return secretsmanager_backends[account_id][region_name]


def generate_secret_string(spec: dict[str, Any]) -> str:
    """What AWS generates for GenerateSecretString (defaults: 32 characters, every type required)."""
    from moto.secretsmanager.utils import random_password

    password = random_password(
        number(spec.get("PasswordLength"), 32),
        spec.get("ExcludeCharacters") or "",
        flag(spec.get("ExcludeNumbers")),
        flag(spec.get("ExcludePunctuation")),
        flag(spec.get("ExcludeUppercase")),
        flag(spec.get("ExcludeLowercase")),
        flag(spec.get("IncludeSpace")),
        flag(spec.get("RequireEachIncludedType"), True),
    )
    template, key = spec.get("SecretStringTemplate"), spec.get("GenerateStringKey")
    if template is None and key is None:
        return password
    if template is None or key is None:
        raise ValueError("GenerateSecretString needs both SecretStringTemplate and GenerateStringKey")
    document = json.loads(template)
    document[key] = password
    return json.dumps(document)


@typed("AWS::SecretsManager::Secret", "Name")
class Secret(Resource, CloudFormationModel):
    ATTRIBUTES = ("Id",)

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "Secret":
        backend = _backend(account_id, region_name)
        if "SecretString" in props:
            value = props["SecretString"]
        elif props.get("GenerateSecretString") is not None:
            value = generate_secret_string(props["GenerateSecretString"])
        else:  # AWS generates a 32-character password when neither is given
            value = generate_secret_string({})
        backend.create_secret(
            name=name, secret_string=value, secret_binary=None,
            description=props.get("Description"), tags=tag_list(props),
            kms_key_id=None,  # KmsKeyId ignored: see the module docstring
            client_request_token=str(uuid.uuid4()),  # the idempotency token moto expects
            replica_regions=[], force_overwrite=False,
        )
        arn = backend.describe_secret(name).arn

        def delete() -> None:
            backend.delete_secret(arn, recovery_window_in_days=None, force_delete_without_recovery=True)

        return cls(arn, {"Id": arn}, delete)

    def modify(self, props: dict[str, Any], account_id: str, region_name: str) -> None:
        # AWS keeps the stored value across updates unless SecretString itself changes; a
        # generated password is not regenerated.
        backend = _backend(account_id, region_name)
        if "SecretString" in props and props["SecretString"] != self.props.get("SecretString"):
            backend.put_secret_value(self.ref, props["SecretString"], None, str(uuid.uuid4()), ["AWSCURRENT"])


#: The "engine" value AWS writes into an attached secret, by the target's engine.
_SECRET_ENGINE = {"aurora-postgresql": "postgres", "postgres": "postgres", "aurora-mysql": "mysql",
                  "mysql": "mysql", "mariadb": "mariadb", "docdb": "mongo"}


def target_details(target_type: str, target_id: str, account_id: str, region_name: str) -> dict[str, Any]:
    """The connection fields AWS adds to a secret attached to an RDS or DocumentDB target."""
    from moto.rds.models import rds_backends

    rds = rds_backends[account_id][region_name]
    if target_type in ("AWS::RDS::DBCluster", "AWS::DocDB::DBCluster"):
        cluster = rds.clusters[target_id.lower()]
        host = getattr(cluster, "cfn_stages_endpoint", None) or cluster.endpoint
        return {"engine": _SECRET_ENGINE.get(cluster.engine, cluster.engine), "host": host,
                "port": int(cluster.port), "dbClusterIdentifier": cluster.db_cluster_identifier}
    if target_type == "AWS::DocDB::DBInstance":
        from .documentdb import DOCDB_INSTANCES

        instance = DOCDB_INSTANCES[(account_id, region_name)][target_id.lower()]
        return {"engine": "mongo", "host": instance["address"], "port": instance["port"],
                "dbInstanceIdentifier": target_id.lower()}
    if target_type == "AWS::RDS::DBInstance":
        db = rds.databases[target_id.lower()]
        return {"engine": _SECRET_ENGINE.get(db.engine, db.engine), "host": db.address,
                "port": int(db.port), "dbInstanceIdentifier": db.db_instance_identifier}
    raise ValueError(f"SecretTargetAttachment: TargetType {target_type} is not emulated")


@typed("AWS::SecretsManager::SecretTargetAttachment")
class SecretTargetAttachment(Resource, CloudFormationModel):
    ATTRIBUTES = ("Id",)

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "SecretTargetAttachment":
        backend = _backend(account_id, region_name)
        secret_id = props["SecretId"]
        current = backend.get_secret_value(secret_id, None, None).get("SecretString") or "{}"
        document = json.loads(current)
        document.update(target_details(props["TargetType"], props["TargetId"], account_id, region_name))
        backend.put_secret_value(secret_id, json.dumps(document), None, str(uuid.uuid4()), ["AWSCURRENT"])
        arn = backend.describe_secret(secret_id).arn
        return cls(arn, {"Id": arn})
