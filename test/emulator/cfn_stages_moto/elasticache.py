"""AWS::ElastiCache::ReplicationGroup, SubnetGroup and ParameterGroup.

AWS: Refs are the replication group id, the subnet group name and the parameter group name (all
lower-case). A replication group's GetAtt PrimaryEndPoint.Address / .Port and ReaderEndPoint.*
give the Redis endpoints (cluster mode disabled); ConfigurationEndPoint.* the cluster-mode one;
ReadEndPoint.Addresses / .Ports the replicas, comma-separated (".List" variants as lists).
moto 5.2.1: no ElastiCache type in CloudFormation at all (skipped silently).
Here: replication groups and subnet groups are backed by moto's elasticache backend
(create_replication_group, create_cache_subnet_group); moto has no cache parameter groups, so a
ParameterGroup is recorded here only (its name is all a template can use).
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel

from .base import Resource, flag, number, tag_list, typed


def _backend(account_id: str, region_name: str) -> Any:
    from moto.elasticache.models import elasticache_backends

    return elasticache_backends[account_id][region_name]


def _identifier(name: str, limit: int) -> str:
    """ElastiCache identifiers are lower-case and short; AWS trims generated ones to fit."""
    return name.lower()[:limit].rstrip("-")


@typed("AWS::ElastiCache::SubnetGroup", "CacheSubnetGroupName")
class SubnetGroup(Resource, CloudFormationModel):
    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "SubnetGroup":
        backend = _backend(account_id, region_name)
        group = backend.create_cache_subnet_group(
            _identifier(name, 255), props["Description"], props["SubnetIds"], tag_list(props))
        group_name = group.cache_subnet_group_name
        return cls(group_name, {}, lambda: backend.cache_subnet_groups.pop(group_name, None), group)


@typed("AWS::ElastiCache::ParameterGroup", "CacheParameterGroupName")
class ParameterGroup(Resource, CloudFormationModel):
    ATTRIBUTES = ("CacheParameterGroupName",)

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "ParameterGroup":
        group_name = _identifier(name, 255)
        return cls(group_name, {"CacheParameterGroupName": group_name},
                   backing={"family": props.get("CacheParameterGroupFamily"),
                            "properties": props.get("Properties") or {}})


def _replication_group_args(group_id: str, props: dict[str, Any]) -> dict[str, Any]:
    return {
        "replication_group_id": group_id,
        "replication_group_description": props.get("ReplicationGroupDescription"),
        "global_replication_group_id": props.get("GlobalReplicationGroupId"),
        "primary_cluster_id": props.get("PrimaryClusterId"),
        "automatic_failover_enabled": flag(props.get("AutomaticFailoverEnabled")),
        "multi_az_enabled": flag(props.get("MultiAZEnabled")),
        "num_cache_clusters": number(props.get("NumCacheClusters")),
        "preferred_cache_cluster_azs": props.get("PreferredCacheClusterAZs") or [],
        "num_node_groups": number(props.get("NumNodeGroups")),
        # moto sizes a cluster-mode-disabled group from ReplicasPerNodeGroup only; AWS takes
        # NumCacheClusters (primary + replicas) there, so translate it.
        "replicas_per_node_group": number(props.get("ReplicasPerNodeGroup"))
        or max(0, (number(props.get("NumCacheClusters"), 1) or 1) - 1),
        "node_group_configuration": props.get("NodeGroupConfiguration") or [],
        "cache_node_type": props.get("CacheNodeType"),
        "engine": props.get("Engine") or "redis",
        "engine_version": props.get("EngineVersion"),
        "cache_parameter_group_name": props.get("CacheParameterGroupName"),
        "cache_subnet_group_name": props.get("CacheSubnetGroupName"),
        "cache_security_group_names": props.get("CacheSecurityGroupNames") or [],
        "security_group_ids": props.get("SecurityGroupIds") or [],
        "tags": tag_list(props),
        "snapshot_arns": props.get("SnapshotArns") or [],
        "snapshot_name": props.get("SnapshotName"),
        "preferred_maintenance_window": props.get("PreferredMaintenanceWindow"),
        "port": number(props.get("Port")),
        "notification_topic_arn": props.get("NotificationTopicArn"),
        "auto_minor_version_upgrade": flag(props.get("AutoMinorVersionUpgrade"), True),
        "snapshot_retention_limit": number(props.get("SnapshotRetentionLimit"), 0),
        "snapshot_window": props.get("SnapshotWindow"),
        "auth_token": props.get("AuthToken"),
        "transit_encryption_enabled": flag(props.get("TransitEncryptionEnabled")),
        "at_rest_encryption_enabled": flag(props.get("AtRestEncryptionEnabled")),
        "kms_key_id": props.get("KmsKeyId"),
        "user_group_ids": props.get("UserGroupIds") or [],
        "log_delivery_configurations": props.get("LogDeliveryConfigurations") or [],
        "data_tiering_enabled": flag(props.get("DataTieringEnabled")),
        "network_type": props.get("NetworkType"),
        "ip_discovery": props.get("IpDiscovery"),
        "transit_encryption_mode": props.get("TransitEncryptionMode"),
        "cluster_mode": (props.get("ClusterMode") or "").lower() or None,
        "serverless_cache_snapshot_name": None,
    }


def _endpoints(group: Any) -> dict[str, Any]:
    port = str(group.port)
    if getattr(group, "configuration_endpoint", None):
        return {"ConfigurationEndPoint.Address": group.configuration_endpoint["address"],
                "ConfigurationEndPoint.Port": port}
    node_group = group.node_groups[0]
    replicas = [m["read_endpoint"]["address"] for m in node_group["node_group_members"]
                if m.get("current_role") != "primary"]
    return {
        "PrimaryEndPoint.Address": node_group["primary_endpoint_address"],
        "PrimaryEndPoint.Port": port,
        "ReaderEndPoint.Address": node_group["reader_endpoint_address"],
        "ReaderEndPoint.Port": port,
        "ReadEndPoint.Addresses": ",".join(replicas),
        "ReadEndPoint.Ports": ",".join(port for _ in replicas),
        "ReadEndPoint.Addresses.List": replicas,
        "ReadEndPoint.Ports.List": [port for _ in replicas],
    }


@typed("AWS::ElastiCache::ReplicationGroup", "ReplicationGroupId")
class ReplicationGroup(Resource, CloudFormationModel):
    ATTRIBUTES = ("ConfigurationEndPoint.Address", "ConfigurationEndPoint.Port",
                  "PrimaryEndPoint.Address", "PrimaryEndPoint.Port", "ReaderEndPoint.Address",
                  "ReaderEndPoint.Port", "ReadEndPoint.Addresses", "ReadEndPoint.Addresses.List",
                  "ReadEndPoint.Ports", "ReadEndPoint.Ports.List")

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "ReplicationGroup":
        backend = _backend(account_id, region_name)
        group = backend.create_replication_group(**_replication_group_args(_identifier(name, 40), props))
        group_id = group.replication_group_id
        return cls(group_id, _endpoints(group),
                   lambda: backend.replication_groups.pop(group_id, None), group)
