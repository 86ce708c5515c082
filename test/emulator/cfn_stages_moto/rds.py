"""AWS::RDS::DBCluster, AWS::RDS::DBClusterParameterGroup, and AWS::RDS::DBInstance (Aurora members).

AWS: a DBCluster's Ref is its identifier (lower-case); GetAtt Endpoint.Address / Endpoint.Port /
ReadEndpoint.Address give the writer and reader endpoints (the port as a string), plus
DBClusterArn, DBClusterResourceId and MasterUserSecret.SecretArn. A DBInstance with
DBClusterIdentifier joins that cluster (an Aurora member: storage, credentials and engine version
come from the cluster). A DBClusterParameterGroup's Ref is its name.
moto 5.2.1: no DBCluster or DBClusterParameterGroup type in CloudFormation (skipped silently), and
its DBInstance type ignores DBClusterIdentifier and fails when DBSubnetGroupName is a plain name
(it expects an object), so Aurora member instances cannot be created.
Here: all three are backed by moto's rds backend (create_db_cluster, create_db_instance,
create_db_cluster_parameter_group). The DBInstance type below replaces moto's own for every
instance, clustered or not.
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel

from .base import Resource, flag, number, tag_list, typed


def rds_backend(account_id: str, region_name: str) -> Any:
    from moto.rds.models import rds_backends

    return rds_backends[account_id][region_name]


def cluster_kwargs(identifier: str, props: dict[str, Any]) -> dict[str, Any]:
    """create_db_cluster arguments from the template properties both RDS and DocDB clusters share."""
    return {
        "db_cluster_identifier": identifier.lower(),
        "engine_version": props.get("EngineVersion"),
        "master_username": props.get("MasterUsername"),
        "master_user_password": props.get("MasterUserPassword"),
        "manage_master_user_password": flag(props.get("ManageMasterUserPassword")),
        "master_user_secret_kms_key_id": props.get("MasterUserSecret", {}).get("KmsKeyId"),
        "port": number(props.get("Port")),
        "db_subnet_group_name": props.get("DBSubnetGroupName"),
        "db_cluster_parameter_group_name": props.get("DBClusterParameterGroupName"),
        "vpc_security_group_ids": props.get("VpcSecurityGroupIds") or [],
        "storage_encrypted": flag(props.get("StorageEncrypted")),
        "kms_key_id": props.get("KmsKeyId"),
        "backup_retention_period": number(props.get("BackupRetentionPeriod"), 1),
        "preferred_backup_window": props.get("PreferredBackupWindow") or "01:37-02:07",
        "preferred_maintenance_window": props.get("PreferredMaintenanceWindow") or "wed:02:40-wed:03:10",
        "deletion_protection": flag(props.get("DeletionProtection")),
        "copy_tags_to_snapshot": flag(props.get("CopyTagsToSnapshot")),
        "enable_cloudwatch_logs_exports": props.get("EnableCloudwatchLogsExports") or [],
        "availability_zones": props.get("AvailabilityZones"),
        "tags": tag_list(props),
    }


@typed("AWS::RDS::DBCluster", "DBClusterIdentifier")
class DBCluster(Resource, CloudFormationModel):
    ATTRIBUTES = ("DBClusterArn", "DBClusterResourceId", "Endpoint.Address", "Endpoint.Port",
                  "ReadEndpoint.Address", "MasterUserSecret.SecretArn")

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "DBCluster":
        backend = rds_backend(account_id, region_name)
        kwargs = cluster_kwargs(name, props)
        kwargs.update(engine=props["Engine"], database_name=props.get("DatabaseName"),
                      engine_mode=props.get("EngineMode"),
                      enable_iam_database_authentication=flag(props.get("EnableIAMDatabaseAuthentication")))
        cluster = backend.create_db_cluster(kwargs)
        secret = getattr(cluster, "master_user_secret", None)
        attributes = {
            "DBClusterArn": cluster.db_cluster_arn,
            "DBClusterResourceId": cluster.db_cluster_resource_id,
            "Endpoint.Address": cluster.endpoint,
            "Endpoint.Port": str(cluster.port),
            "ReadEndpoint.Address": cluster.reader_endpoint,
            "MasterUserSecret.SecretArn": secret.secret_arn if secret else None,
        }
        return cls(cluster.db_cluster_identifier, attributes,
                   lambda: backend.delete_db_cluster(cluster.db_cluster_identifier), cluster)

    def modify(self, props: dict[str, Any], account_id: str, region_name: str) -> None:
        modify_cluster(self.backing, props)


def modify_cluster(cluster: Any, props: dict[str, Any]) -> None:
    """In-place cluster changes a template makes (ModifyDBCluster): protection and backups."""
    cluster.deletion_protection = flag(props.get("DeletionProtection"))
    cluster.backup_retention_period = number(props.get("BackupRetentionPeriod"), 1)
    if props.get("PreferredBackupWindow"):
        cluster.preferred_backup_window = props["PreferredBackupWindow"]
    if props.get("PreferredMaintenanceWindow"):
        cluster.preferred_maintenance_window = props["PreferredMaintenanceWindow"]


@typed("AWS::RDS::DBClusterParameterGroup", "DBClusterParameterGroupName")
class DBClusterParameterGroup(Resource, CloudFormationModel):
    ATTRIBUTES = ("DBClusterParameterGroupName",)

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "DBClusterParameterGroup":
        return create_cluster_parameter_group(cls, name, props, account_id, region_name)


def create_cluster_parameter_group(cls: type, name: str, props: dict[str, Any], account_id: str,
                                   region_name: str) -> Any:
    """Shared by RDS and DocDB: both are RDS cluster parameter groups on AWS."""
    backend = rds_backend(account_id, region_name)
    group = backend.create_db_cluster_parameter_group(
        name.lower(), props["Family"], props["Description"], tag_list(props))
    for key, value in (props.get("Parameters") or {}).items():
        group.parameters[key] = {"ParameterName": key, "ParameterValue": str(value)}
    return cls(group.name, {"DBClusterParameterGroupName": group.name},
               lambda: backend.delete_db_cluster_parameter_group(group.name), group)


@typed("AWS::RDS::DBInstance", "DBInstanceIdentifier")
class DBInstance(Resource, CloudFormationModel):
    ATTRIBUTES = ("DBInstanceArn", "DbiResourceId", "Endpoint.Address", "Endpoint.Port",
                  "Endpoint.HostedZoneId")

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "DBInstance":
        backend = rds_backend(account_id, region_name)
        kwargs: dict[str, Any] = {
            "db_instance_identifier": name.lower().replace("_", "-"),
            "db_instance_class": props.get("DBInstanceClass"),
            "engine": props.get("Engine"),
            "availability_zone": props.get("AvailabilityZone"),
            "db_subnet_group_name": props.get("DBSubnetGroupName"),
            "db_parameter_group_name": props.get("DBParameterGroupName"),
            "publicly_accessible": flag(props.get("PubliclyAccessible")),
            "auto_minor_version_upgrade": flag(props.get("AutoMinorVersionUpgrade"), True),
            "preferred_maintenance_window": props.get("PreferredMaintenanceWindow") or "wed:06:38-wed:07:08",
            "tags": tag_list(props),
        }
        if props.get("DBClusterIdentifier"):
            # Aurora member: the cluster owns storage, credentials and engine version.
            cluster = backend.clusters[props["DBClusterIdentifier"].lower()]
            kwargs.update(db_cluster_identifier=cluster.db_cluster_identifier,
                          engine=kwargs["engine"] or cluster.engine, port=cluster.port,
                          promotion_tier=number(props.get("PromotionTier"), 1))
        else:
            kwargs.update(
                engine_version=props.get("EngineVersion"), port=number(props.get("Port")),
                allocated_storage=number(props.get("AllocatedStorage")),
                max_allocated_storage=number(props.get("MaxAllocatedStorage")),
                backup_retention_period=number(props.get("BackupRetentionPeriod"), 1),
                db_name=props.get("DBName"), master_username=props.get("MasterUsername"),
                master_user_password=props.get("MasterUserPassword"),
                manage_master_user_password=flag(props.get("ManageMasterUserPassword")),
                multi_az=flag(props.get("MultiAZ")), storage_type=props.get("StorageType"),
                storage_encrypted=flag(props.get("StorageEncrypted")), kms_key_id=props.get("KmsKeyId"),
                iops=props.get("Iops"), vpc_security_group_ids=props.get("VPCSecurityGroups") or [],
                deletion_protection=flag(props.get("DeletionProtection")),
                preferred_backup_window=props.get("PreferredBackupWindow") or "13:14-13:44")
        db = backend.create_db_instance(kwargs)
        attributes = {
            "DBInstanceArn": db.db_instance_arn,
            "DbiResourceId": db.dbi_resource_id,
            "Endpoint.Address": db.address,
            "Endpoint.Port": str(db.port),
            "Endpoint.HostedZoneId": "Z2R2ITUGPM61AM",  # us-east-1's RDS hosted zone
        }
        return cls(db.db_instance_identifier, attributes,
                   lambda: backend.delete_db_instance(db.db_instance_identifier), db)
