"""AWS::EKS::Cluster and AWS::EKS::Nodegroup (plus AWS::IAM::OIDCProvider and AWS::EKS::AccessEntry, below).

AWS: a Cluster's Ref is its name; GetAtt gives Arn, Endpoint, CertificateAuthorityData,
ClusterSecurityGroupId (a security group EKS creates in the cluster's VPC),
EncryptionConfigKeyArn, OpenIdConnectIssuerUrl (https://oidc.eks.REGION.amazonaws.com/id/ plus
32 hex digits, one per cluster) and KubernetesNetworkConfig.ServiceIpv4Cidr. A Nodegroup's Ref
is "cluster-name/nodegroup-name"; GetAtt Arn, ClusterName, NodegroupName.
moto 5.2.1: neither type exists in CloudFormation (skipped silently).
Here: both are backed by moto's eks backend (create_cluster / create_nodegroup, with a client
request token), after turning the template's PascalCase blocks into the API's camelCase. The
cluster security group is created in moto's EC2 so that rules can refer to it.
"""

from __future__ import annotations

import uuid
from typing import Any

from moto.core.common_models import CloudFormationModel

from .base import Resource, number, tag_map, typed


def _backend(account_id: str, region_name: str) -> Any:
    from moto.eks.models import eks_backends

    return eks_backends[account_id][region_name]


def camel(value: Any) -> Any:
    """{"SubnetIds": [...]} -> {"subnetIds": [...]}, recursively (the EKS API's casing)."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel(v) for v in value]
    return value


def _cluster_security_group(name: str, subnet_ids: list[str], account_id: str, region_name: str) -> Any:
    from moto.ec2.models import ec2_backends

    ec2 = ec2_backends[account_id][region_name]
    vpc_id = ec2.get_subnet(subnet_ids[0]).vpc_id if subnet_ids else None
    return ec2.create_security_group(f"eks-cluster-sg-{name}-{uuid.uuid4().hex[:10]}",
                                     "EKS created security group applied to ENI that is attached to "
                                     "EKS Control Plane master nodes, as well as any managed workloads.",
                                     vpc_id, tags={f"kubernetes.io/cluster/{name}": "owned"})


@typed("AWS::EKS::Cluster", "Name")
class Cluster(Resource, CloudFormationModel):
    ATTRIBUTES = ("Arn", "Endpoint", "CertificateAuthorityData", "ClusterSecurityGroupId",
                  "EncryptionConfigKeyArn", "OpenIdConnectIssuerUrl",
                  "KubernetesNetworkConfig.ServiceIpv4Cidr")

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "Cluster":
        backend = _backend(account_id, region_name)
        vpc_config = camel(props.get("ResourcesVpcConfig") or {})
        security_group = _cluster_security_group(name, vpc_config.get("subnetIds") or [], account_id, region_name)
        vpc_config["clusterSecurityGroupId"] = security_group.id
        encryption = props.get("EncryptionConfig") or []
        cluster = backend.create_cluster(
            name=name, role_arn=props["RoleArn"], resources_vpc_config=vpc_config,
            version=props.get("Version"),
            kubernetes_network_config=camel(props.get("KubernetesNetworkConfig")) or None,
            logging=camel(props.get("Logging")) or None, client_request_token=str(uuid.uuid4()),
            tags=tag_map(props), encryption_config=camel(encryption) or None)
        issuer = f"https://oidc.eks.{region_name}.amazonaws.com/id/{uuid.uuid4().hex.upper()}"
        cluster.identity = {"oidc": {"issuer": issuer}}
        network = cluster.kubernetes_network_config or {}
        attributes = {
            "Arn": cluster.arn,
            "Endpoint": cluster.endpoint,
            "CertificateAuthorityData": cluster.certificate_authority["data"],
            "ClusterSecurityGroupId": security_group.id,
            "EncryptionConfigKeyArn": encryption[0]["Provider"]["KeyArn"] if encryption else None,
            "OpenIdConnectIssuerUrl": issuer,
            "KubernetesNetworkConfig.ServiceIpv4Cidr": network.get("serviceIpv4Cidr", "172.20.0.0/16"),
        }

        def delete() -> None:
            backend.delete_cluster(name)
            from moto.ec2.models import ec2_backends

            ec2_backends[account_id][region_name].delete_security_group(group_id=security_group.id)

        return cls(name, attributes, delete, cluster)


@typed("AWS::EKS::Nodegroup", "NodegroupName")
class Nodegroup(Resource, CloudFormationModel):
    ATTRIBUTES = ("Arn", "ClusterName", "NodegroupName")

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "Nodegroup":
        backend = _backend(account_id, region_name)
        cluster_name = props["ClusterName"]
        nodegroup = backend.create_nodegroup(
            cluster_name=cluster_name, node_role=props["NodeRole"], nodegroup_name=name,
            subnets=props["Subnets"], scaling_config=camel(props.get("ScalingConfig")),
            disk_size=number(props.get("DiskSize")), instance_types=props.get("InstanceTypes"),
            ami_type=props.get("AmiType"), remote_access=camel(props.get("RemoteAccess")),
            labels=props.get("Labels"), taints=camel(props.get("Taints")),
            tags=props.get("Tags") if isinstance(props.get("Tags"), dict) else tag_map(props),
            client_request_token=str(uuid.uuid4()), launch_template=camel(props.get("LaunchTemplate")),
            capacity_type=props.get("CapacityType"), version=props.get("Version"),
            release_version=props.get("ReleaseVersion"))
        attributes = {"Arn": nodegroup.arn, "ClusterName": cluster_name, "NodegroupName": name}
        return cls(f"{cluster_name}/{name}", attributes,
                   lambda: backend.delete_nodegroup(cluster_name, name), nodegroup)


@typed("AWS::IAM::OIDCProvider")
class OIDCProvider(Resource, CloudFormationModel):
    """AWS: an IAM OIDC identity provider (here: the EKS cluster's, for service-account roles); Ref
    and GetAtt Arn are its ARN. moto 5.2.1: no such CloudFormation type. Here: moto's iam backend
    (create_open_id_connect_provider); ThumbprintList is optional on AWS now, so none is fine."""

    ATTRIBUTES = ("Arn",)

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "OIDCProvider":
        from moto.iam.models import iam_backends
        from moto.utilities.utils import get_partition

        backend = iam_backends[account_id][get_partition(region_name)]
        provider = backend.create_open_id_connect_provider(
            props["Url"], props.get("ThumbprintList") or [], props.get("ClientIdList") or [],
            [{"Key": t["Key"], "Value": t["Value"]} for t in props.get("Tags") or []])
        return cls(provider.arn, {"Arn": provider.arn},
                   lambda: backend.delete_open_id_connect_provider(provider.arn), provider)


#: EKS access entries by (account, region): moto 5.2.1's eks backend has none.
ACCESS_ENTRIES: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}


@typed("AWS::EKS::AccessEntry")
class AccessEntry(Resource, CloudFormationModel):
    """AWS: grants an IAM principal access to a cluster (with access policies); Ref is
    "cluster-name|principal-arn", GetAtt AccessEntryArn its ARN. moto 5.2.1: no access entries at
    all, so the entry is recorded here (after checking that the cluster exists, as AWS does)."""

    ATTRIBUTES = ("AccessEntryArn",)

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "AccessEntry":
        cluster_name, principal = props["ClusterName"], props["PrincipalArn"]
        _backend(account_id, region_name).describe_cluster(cluster_name)  # raises if missing
        role = principal.split(":")[-1]
        arn = f"arn:aws:eks:{region_name}:{account_id}:access-entry/{cluster_name}/{role}/{uuid.uuid4()}"
        ref = f"{cluster_name}|{principal}"
        entries = ACCESS_ENTRIES.setdefault((account_id, region_name), {})
        entries[ref] = {"arn": arn, "type": props.get("Type", "STANDARD"),
                        "policies": props.get("AccessPolicies") or []}
        return cls(ref, {"AccessEntryArn": arn}, lambda: entries.pop(ref, None), entries[ref])
