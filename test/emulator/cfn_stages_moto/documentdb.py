"""AWS::DocDB::DBCluster, DBInstance, DBClusterParameterGroup and DBSubnetGroup.

AWS: DocumentDB runs on the RDS control plane: its clusters, subnet groups and cluster parameter
groups are RDS objects (engine "docdb"). Refs: the cluster and instance identifiers, the group
names. GetAtt: cluster Endpoint / ReadEndpoint (host names under docdb.amazonaws.com), Port
("27017" unless set) and ClusterResourceId; instance Endpoint and Port.
moto 5.2.1: has no DocumentDB service and no DocDB CloudFormation types (skipped silently).
Here: subnet groups, parameter groups and clusters go into moto's rds backend, as on AWS (its
engine check does not know "docdb", so the cluster is created as an Aurora PostgreSQL one and then
labelled docdb with DocumentDB's port and endpoints). Instances are kept in this module only:
moto's rds instance model refuses the docdb engine.
"""

from __future__ import annotations

import random
import string
from typing import Any

from moto.core.common_models import CloudFormationModel

from .base import Resource, number, tag_list, typed
from .rds import cluster_kwargs, create_cluster_parameter_group, modify_cluster, rds_backend

#: DocumentDB instances by (account, region) then identifier: address and port.
DOCDB_INSTANCES: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}

DOCDB_PORT = 27017


def _token() -> str:
    return "".join(random.choices(string.ascii_lowercase + string.digits, k=12))


@typed("AWS::DocDB::DBSubnetGroup", "DBSubnetGroupName")
class DBSubnetGroup(Resource, CloudFormationModel):
    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "DBSubnetGroup":
        from moto.ec2.models import ec2_backends

        ec2 = ec2_backends[account_id][region_name]
        backend = rds_backend(account_id, region_name)
        subnets = [ec2.get_subnet(subnet_id) for subnet_id in props["SubnetIds"]]
        group = backend.create_subnet_group(name.lower(), props["DBSubnetGroupDescription"],
                                            subnets, tag_list(props))
        return cls(group.name, {}, lambda: backend.delete_subnet_group(group.name), group)


@typed("AWS::DocDB::DBClusterParameterGroup", "Name")
class DBClusterParameterGroup(Resource, CloudFormationModel):
    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "DBClusterParameterGroup":
        return create_cluster_parameter_group(cls, name, props, account_id, region_name)


@typed("AWS::DocDB::DBCluster", "DBClusterIdentifier")
class DBCluster(Resource, CloudFormationModel):
    ATTRIBUTES = ("ClusterResourceId", "Endpoint", "Port", "ReadEndpoint")

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "DBCluster":
        backend = rds_backend(account_id, region_name)
        kwargs = cluster_kwargs(name, props)
        kwargs.update(engine="aurora-postgresql", port=number(props.get("Port"), DOCDB_PORT))
        cluster = backend.create_db_cluster(kwargs)
        token = _token()
        cluster.engine = "docdb"
        cluster.engine_version = props.get("EngineVersion") or "5.0.0"
        cluster.cfn_stages_endpoint = f"{cluster.db_cluster_identifier}.cluster-{token}.{region_name}.docdb.amazonaws.com"
        attributes = {
            "ClusterResourceId": cluster.db_cluster_resource_id,
            "Endpoint": cluster.cfn_stages_endpoint,
            "ReadEndpoint": f"{cluster.db_cluster_identifier}.cluster-ro-{token}.{region_name}.docdb.amazonaws.com",
            "Port": str(cluster.port),
        }
        return cls(cluster.db_cluster_identifier, attributes,
                   lambda: backend.delete_db_cluster(cluster.db_cluster_identifier), cluster)

    def modify(self, props: dict[str, Any], account_id: str, region_name: str) -> None:
        modify_cluster(self.backing, props)


@typed("AWS::DocDB::DBInstance", "DBInstanceIdentifier")
class DBInstance(Resource, CloudFormationModel):
    ATTRIBUTES = ("Endpoint", "Port")

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "DBInstance":
        cluster = rds_backend(account_id, region_name).clusters[props["DBClusterIdentifier"].lower()]
        identifier = name.lower()
        record = {"address": f"{identifier}.{_token()}.{region_name}.docdb.amazonaws.com",
                  "port": int(cluster.port), "cluster": cluster.db_cluster_identifier}
        instances = DOCDB_INSTANCES.setdefault((account_id, region_name), {})
        instances[identifier] = record
        return cls(identifier, {"Endpoint": record["address"], "Port": str(record["port"])},
                   lambda: instances.pop(identifier, None), record)
