"""A new account: service-linked roles that do not exist yet.

AWS: ECS creates its service-linked role (AWSServiceRoleForECS) on first use, but in a new
account the first cluster can fail with "Unable to assume the service linked role" because the
role is created too late. ``iam:CreateServiceLinkedRole`` for ``ecs.amazonaws.com`` creates it
ahead; asked again, IAM refuses with InvalidInput "Service role name ... has been taken in this
account".
moto 5.2.1: clusters never need the role; a second CreateServiceLinkedRole fails with
EntityAlreadyExists ("Role with name ... already exists.").
Here: CreateServiceLinkedRole of an existing role answers as AWS does (always). With
``CFN_STAGES_EMULATOR_NEW_ACCOUNT=1`` the emulator is a new account: CreateCluster (the API and
AWS::ECS::Cluster) is refused until AWSServiceRoleForECS exists. Off by default: other suites and
the demo behave like an account that has run ECS before.
"""

from __future__ import annotations

import os
from typing import Any

ECS_ROLE = "AWSServiceRoleForECS"


def _role_exists(account_id: str, name: str) -> bool:
    from moto.iam.models import iam_backends

    return any(role.name == name for role in iam_backends[account_id]["aws"].get_roles())


def _create_cluster(original: Any) -> Any:
    def create_cluster(self: Any, cluster_name: str, *args: Any, **kwargs: Any) -> Any:
        if os.environ.get("CFN_STAGES_EMULATOR_NEW_ACCOUNT") == "1" and not _role_exists(self.account_id, ECS_ROLE):
            from moto.ecs.exceptions import InvalidParameterException

            raise InvalidParameterException(
                "Invalid request provided: CreateCluster Invalid Request: Unable to assume the service linked role. "
                "Please verify that the ECS service linked role exists.")
        return original(self, cluster_name, *args, **kwargs)
    return create_cluster


def _create_service_linked_role(original: Any) -> Any:
    def create_service_linked_role(self: Any, service_name: str, description: str, suffix: str) -> Any:
        from moto.iam.exceptions import EntityAlreadyExists, InvalidInput

        try:
            return original(self, service_name, description, suffix)
        except EntityAlreadyExists as error:
            name = str(error.message).split("Role with name ")[-1].split(" already exists")[0]
            raise InvalidInput(f"Service role name {name} has been taken in this account, please try a different suffix.")
    return create_service_linked_role


# AWS's role names for the services the catalogue uses; moto lower-cases unknown ones
# ("AWSServiceRoleForecs").
ROLE_NAMES = {"ecs": "ECS", "elasticloadbalancing": "ElasticLoadBalancing", "rds": "RDS",
              "elasticache": "ElastiCache", "eks": "AmazonEKS"}


def install() -> None:
    from moto.ecs.models import EC2ContainerServiceBackend
    from moto.iam import models as iam_models
    from moto.iam.models import IAMBackend

    iam_models.SERVICE_NAME_CONVERSION.update(ROLE_NAMES)

    EC2ContainerServiceBackend.create_cluster = _create_cluster(EC2ContainerServiceBackend.create_cluster)
    IAMBackend.create_service_linked_role = _create_service_linked_role(IAMBackend.create_service_linked_role)
