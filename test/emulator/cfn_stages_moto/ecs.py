"""AWS::ECS::CapacityProvider and AWS::ECS::ClusterCapacityProviderAssociations; UpdateService
deployments.

AWS: a CapacityProvider ties an Auto Scaling group to ECS; its Ref is its name. A
ClusterCapacityProviderAssociations sets a cluster's capacity providers and default strategy
(PutClusterCapacityProviders); its Ref is the cluster name.
moto 5.2.1: neither type exists in CloudFormation (skipped silently: the cluster keeps no
providers and outputs naming the provider vanish).
Here: backed by moto's ecs backend (create_capacity_provider, put_cluster_capacity_providers).

UpdateService. AWS: a new task definition starts a new deployment: it is PRIMARY and runs the new
task definition, the old one turns ACTIVE and is drained; the service's taskDefinition is the new
ARN (a "family" or "family:revision" given is resolved). moto 5.2.1: only the service's
taskDefinition changes (to the string given), its one deployment still names the old revision, so
a rollout never shows. Here: update_service adds the new PRIMARY deployment; moto runs no tasks, so
the old deployments have nothing to drain and go at once (as AWS shows it once the rollout is done).
"""

from __future__ import annotations

import copy
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.core.utils import utcnow
from moto.moto_api._internal import mock_random

from .base import Resource, tag_list, typed
from .eks import camel


def _backend(account_id: str, region_name: str) -> Any:
    from moto.ecs.models import ecs_backends

    return ecs_backends[account_id][region_name]


@typed("AWS::ECS::CapacityProvider", "Name")
class CapacityProvider(Resource, CloudFormationModel):
    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "CapacityProvider":
        backend = _backend(account_id, region_name)
        provider = backend.create_capacity_provider(
            name, camel(props.get("AutoScalingGroupProvider") or {}), tag_list(props))
        return cls(provider.name, {}, lambda: backend.delete_capacity_provider(provider.name), provider)


@typed("AWS::ECS::ClusterCapacityProviderAssociations")
class ClusterCapacityProviderAssociations(Resource, CloudFormationModel):
    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "ClusterCapacityProviderAssociations":
        backend = _backend(account_id, region_name)
        cluster_name = props["Cluster"].split("/")[-1]
        strategy = [{k: int(v) if k in ("Base", "Weight") else v for k, v in item.items()}
                    for item in props.get("DefaultCapacityProviderStrategy") or []]
        backend.put_cluster_capacity_providers(cluster_name, props.get("CapacityProviders") or [],
                                               camel(strategy))

        def delete() -> None:  # AWS empties the cluster's providers when the association goes
            if cluster_name in backend.clusters:
                backend.put_cluster_capacity_providers(cluster_name, [], [])

        return cls(cluster_name, {}, delete)


def _update_service(original: Any) -> Any:
    def update_service(self: Any, service_properties: dict[str, Any]) -> Any:
        wanted = service_properties.get("task_definition")
        if wanted:  # AWS keeps the full ARN whichever form was given
            service_properties = dict(service_properties, task_definition=self.describe_task_definition(wanted).arn)
        before = self._get_service(service_properties.get("cluster", "default"),
                                   str(service_properties.get("service", "")).split("/")[-1])
        previous = before.task_definition
        service = original(self, service_properties)
        if service.task_definition != previous and service.deployments:
            _new_deployment(service)
        return service

    return update_service


def _new_deployment(service: Any) -> None:
    """Start a PRIMARY deployment of the service's task definition, shaped like moto's first one."""
    deployment = copy.deepcopy(service.deployments[0])
    deployment_id = f"ecs-svc/{mock_random.randint(0, 32**12)}"
    done = service.running_count >= service.desired_count
    now = utcnow()
    deployment.update({
        "id": deployment_id, "createdAt": now, "updatedAt": now, "status": "PRIMARY",
        "taskDefinition": service.task_definition, "desiredCount": service.desired_count,
        "runningCount": service.running_count, "pendingCount": service.pending_count,
        "rolloutState": "COMPLETED" if done else "IN_PROGRESS",
        "rolloutStateReason": f"ECS deployment {deployment_id} {'completed' if done else 'in progress'}.",
    })
    service.deployments = [deployment]


def install() -> None:
    from moto.ecs.models import EC2ContainerServiceBackend

    EC2ContainerServiceBackend.update_service = _update_service(EC2ContainerServiceBackend.update_service)
