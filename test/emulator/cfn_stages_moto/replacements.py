"""What an update may replace, and what it compares.

AWS: "CloudFormation cannot update a stack when a custom-named resource requires replacing.
Rename <name> and update the stack again." A replacement is created before the old resource is
deleted, so one whose name property is set (and stays the same) would collide with itself: the
update fails on that resource (UPDATE_FAILED with that reason) and the stack rolls back, with
nothing of the update applied. A replacement that also changes the name is allowed.
moto 5.2.1: replaces it anyway (or fails later with the service's own "already exists").

AWS: a change set compares resolved property values: a property written as ``Fn::ImportValue``
and one written as the literal value that import resolves to are the same, so pinning an import
to its current value changes nothing (and frees the export). moto (and updates._diff): compares
template text, so the pinned property is a change, a replacement when it is create-only.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation import parsing

from . import updates

#: The property that sets a resource's physical name, per type (the types the catalogue uses and
#: their neighbours), as each type's CloudFormation reference documents it.
NAME_PROPERTY = {
    "AWS::DocDB::DBCluster": "DBClusterIdentifier",
    "AWS::DocDB::DBInstance": "DBInstanceIdentifier",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::EC2::SecurityGroup": "GroupName",
    "AWS::ECR::Repository": "RepositoryName",
    "AWS::ECS::Cluster": "ClusterName",
    "AWS::ECS::Service": "ServiceName",
    "AWS::EKS::Cluster": "Name",
    "AWS::EKS::Nodegroup": "NodegroupName",
    "AWS::ElastiCache::ReplicationGroup": "ReplicationGroupId",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "Name",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "Name",
    "AWS::IAM::Role": "RoleName",
    "AWS::KMS::Alias": "AliasName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::RDS::DBCluster": "DBClusterIdentifier",
    "AWS::RDS::DBInstance": "DBInstanceIdentifier",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::SNS::Topic": "TopicName",
    "AWS::SQS::Queue": "QueueName",
}

_original = {"diff": updates._diff, "update": None}


class CustomNameReplacement(Exception):
    """The resource update that CloudFormation refuses; ``stacks._fail`` reports it on the resource."""

    def __init__(self, logical_id: str, resource_type: str, name: str) -> None:
        self.message = (f"CloudFormation cannot update a stack when a custom-named resource requires replacing. "
                        f"Rename {name} and update the stack again.")
        super().__init__(self.message)
        self.cfn_stages_resource = (logical_id, resource_type)


def _pinned(node: Any, resources: parsing.ResourceMap) -> Any:
    """``node`` with each Fn::ImportValue replaced by the value it resolves to now (left as it is
    when the export does not exist)."""
    if isinstance(node, list):
        return [_pinned(item, resources) for item in node]
    if not isinstance(node, dict):
        return node
    if list(node) == ["Fn::ImportValue"]:
        try:
            name = parsing.clean_json(node["Fn::ImportValue"], resources)
            exports = resources.cross_stack_resources or {}
            if name in exports:
                return exports[name].value
        except Exception:  # an unresolvable name stays as written
            pass
    return {key: _pinned(value, resources) for key, value in node.items()}


def diff(self: parsing.ResourceMap, template: dict[str, Any], parameters: dict[str, Any] | None) -> updates.Plan:
    """updates._diff on resolved imports: old and new resources compared with their imports pinned."""
    old = self._resource_json_map
    self._resource_json_map = {name: _pinned(spec, self) for name, spec in old.items()}
    try:
        pinned = {**template, "Resources": {name: _pinned(spec, self) for name, spec in template.get("Resources", {}).items()}}
        return _original["diff"](self, pinned, parameters)
    finally:
        self._resource_json_map = old


def _keeps_name(spec: dict[str, Any], old_spec: dict[str, Any], changed: set[str]) -> str | None:
    """The name property when it is set and the update keeps it as it is."""
    prop = NAME_PROPERTY.get(spec.get("Type", ""))
    new, before = (spec.get("Properties") or {}).get(prop), (old_spec.get("Properties") or {}).get(prop)
    if prop is None or new is None or new == {"Ref": "AWS::NoValue"}:
        return None
    return prop if new == before and not updates.references(new) & changed else None


def update(self: parsing.ResourceMap, template: dict[str, Any], parameters: dict[str, Any] | None = None) -> None:
    """Refuse, before anything is applied, an update that replaces a resource keeping its custom name."""
    plan = updates._diff(self, template, parameters)
    for name in sorted(plan.replaced):
        spec, old_spec = template["Resources"][name], self._resource_json_map.get(name, {})
        if _keeps_name(spec, old_spec, plan.changed):
            existing = self._parsed_resources.get(name)
            raise CustomNameReplacement(name, spec["Type"], getattr(existing, "physical_resource_id", None) or name)
    _original["update"](self, template, parameters)


def install() -> None:
    _original["diff"] = updates._diff
    updates._diff = diff
    _original["update"] = parsing.ResourceMap.update
    parsing.ResourceMap.update = update
