"""AWS::ECS::CapacityProvider and AWS::ECS::ClusterCapacityProviderAssociations.

AWS: a CapacityProvider ties an Auto Scaling group to ECS; its Ref is its name. A
ClusterCapacityProviderAssociations sets a cluster's capacity providers and default strategy
(PutClusterCapacityProviders); its Ref is the cluster name.
moto 5.2.1: neither type exists in CloudFormation (skipped silently: the cluster keeps no
providers and outputs naming the provider vanish).
Here: backed by moto's ecs backend (create_capacity_provider, put_cluster_capacity_providers).
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel

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
