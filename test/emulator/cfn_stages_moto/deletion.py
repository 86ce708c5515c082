"""Deleting a stack's resources the way CloudFormation does.

AWS: CloudFormation deletes a stack's resources in reverse dependency order: a resource goes only
once every resource that depends on it (through Ref, Fn::GetAtt, Fn::Sub or DependsOn) is gone,
so routes and subnet associations go before route tables, NAT gateways before their Elastic IPs
and subnets, the gateway attachment before the gateway, and the VPC last. Each resource reports
DELETE_IN_PROGRESS, then DELETE_COMPLETE, or DELETE_FAILED with the reason; a failure leaves
what it depends on in place and the stack DELETE_FAILED ("The following resource(s) failed to
delete: [...]"). DeletionPolicy: Retain (and RetainExceptOnCreate, except when the creation that
made the resource rolls back) leaves the resource and reports DELETE_SKIPPED; Snapshot takes a
snapshot, then deletes (AWS::RDS::DBCluster and an RDS DBInstance outside a cluster default to
Snapshot). Resources an update removes are deleted the same way, after the update (cleanup), and
so are the old resources an update replaced, under UpdateReplacePolicy instead.
moto 5.2.1: tries every resource in template order and retries the ones that fail (dependency
errors included) while the count goes down, honours Retain only (no event, no Snapshot, nothing
on update), and reports stack-level events only.
"""

from __future__ import annotations

import random
import re
import string
from typing import Any

from moto.cloudformation import parsing

from . import teardown

_original = {
    "delete_resource": parsing.ResourceMap._delete_resource,
    "build_resource_diff": None,  # set by install (updates.py may have replaced it already)
}

#: The types AWS snapshots under DeletionPolicy Snapshot (cfn-lint E3035 refuses it on others).
SNAPSHOT_TYPES = frozenset([
    "AWS::DocDB::DBCluster", "AWS::EC2::Volume", "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup", "AWS::Neptune::DBCluster", "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance", "AWS::Redshift::Cluster",
])


class DeleteFailed(Exception):
    """A stack's deletion stopped at resources that could not be deleted (AWS: DELETE_FAILED)."""

    def __init__(self, names: list[str]):
        self.message = f"The following resource(s) failed to delete: [{', '.join(sorted(names))}]. "
        super().__init__(self.message)


# --- dependencies -----------------------------------------------------------------------------

def _sub_names(value: Any) -> set[str]:
    """Names ${X} / ${X.Attr} in an Fn::Sub, less ${!literals} and the Sub's own variables."""
    text, variables = (value[0], value[1] if len(value) > 1 else {}) if isinstance(value, list) else (value, {})
    if not isinstance(text, str):
        return set()
    names = {match.split(".", 1)[0].strip() for match in re.findall(r"\$\{([^!}][^}]*)\}", text)}
    return names - set(variables if isinstance(variables, dict) else {})


def references(node: Any) -> set[str]:
    """Every name a template fragment points at through Ref, Fn::GetAtt and Fn::Sub."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                target = value[0] if isinstance(value, list) and value else value
                if isinstance(target, str):
                    found.add(target.split(".", 1)[0])
            elif key == "Fn::Sub":
                found |= _sub_names(value)
            found |= references(value)
    elif isinstance(node, list):
        for item in node:
            found |= references(item)
    return found


def dependencies(spec: dict[str, Any], resource_names: set[str]) -> set[str]:
    """The resources among ``resource_names`` that a resource depends on (AWS's implicit and
    explicit dependencies: Ref, Fn::GetAtt, Fn::Sub anywhere in it, and DependsOn)."""
    depends_on = spec.get("DependsOn") or []
    named = {depends_on} if isinstance(depends_on, str) else set(depends_on)
    body = {key: value for key, value in spec.items() if key != "DependsOn"}
    return (references(body) | named) & resource_names


# --- policy and snapshots ---------------------------------------------------------------------

def deletion_policy(resources: parsing.ResourceMap, spec: dict[str, Any], attribute: str = "DeletionPolicy") -> str:
    """The resource's DeletionPolicy (or, with ``attribute="UpdateReplacePolicy"``, the policy for
    the old resource a replacement leaves behind): both default alike."""
    policy = spec.get(attribute)
    if isinstance(policy, dict):  # DeletionPolicy may use Fn::If, Ref, Fn::FindInMap...
        policy = parsing.clean_json(policy, resources)
    if policy:
        return str(policy)
    kind = spec.get("Type", "")
    standalone_db = kind == "AWS::RDS::DBInstance" and not (spec.get("Properties") or {}).get("DBClusterIdentifier")
    return "Snapshot" if kind == "AWS::RDS::DBCluster" or standalone_db else "Delete"


def _token() -> str:
    return "".join(random.choices(string.ascii_lowercase + string.digits, k=12))


def snapshot(kind: str, resource: Any, account_id: str, region_name: str) -> str | None:
    """Take the final snapshot AWS takes under DeletionPolicy Snapshot; returns its name (None for
    a type the emulator cannot snapshot: Neptune, Redshift, cache clusters; they are just deleted).
    AWS does not document the snapshot's name; here it is "<physical id>-final-<12 characters>"."""
    physical_id = str(resource.physical_resource_id)
    name = f"{physical_id}-final-{_token()}".lower()
    if kind in ("AWS::RDS::DBCluster", "AWS::DocDB::DBCluster", "AWS::RDS::DBInstance"):
        from moto.rds.models import rds_backends

        rds = rds_backends[account_id][region_name]
        if kind != "AWS::RDS::DBInstance":
            rds.create_db_cluster_snapshot(physical_id, name)
        elif not getattr(getattr(resource, "backing", resource), "db_cluster_identifier", None):
            rds.create_db_snapshot(physical_id, name)  # an Aurora member has no snapshot of its own
        else:
            return None
    elif kind == "AWS::ElastiCache::ReplicationGroup":
        from moto.elasticache.models import elasticache_backends

        elasticache_backends[account_id][region_name].create_snapshot(name, physical_id, None, None, None)
    elif kind == "AWS::EC2::Volume":
        from moto.ec2.models import ec2_backends

        ec2_backends[account_id][region_name].create_snapshot(physical_id, f"Final snapshot of {physical_id}")
    else:
        return None
    return name


# --- deleting ---------------------------------------------------------------------------------

def _delete_resource(self: parsing.ResourceMap, parsed_resource: Any, resource_json: dict[str, Any],
                     take_snapshot: bool = False) -> None:
    """Delete one resource as its service's API would (see teardown.py), reporting
    DELETE_IN_PROGRESS then DELETE_COMPLETE, or DELETE_FAILED with the reason (and re-raising)."""
    from .stacks import _event, _stack_of

    stack = _stack_of(self)
    kind = resource_json.get("Type", "")
    logical_id = getattr(parsed_resource, "logical_resource_id", "") or ""
    physical_id = str(getattr(parsed_resource, "physical_resource_id", "") or "")

    def report(status: str, reason: str | None = None) -> None:
        if stack is not None:
            _event(stack, logical_id, physical_id, kind, status, reason)

    report("DELETE_IN_PROGRESS")
    try:
        if take_snapshot and kind in SNAPSHOT_TYPES:
            snapshot(kind, parsed_resource, self._account_id, self._region_name)
        if kind in teardown.DELETERS:
            teardown.DELETERS[kind](parsed_resource, self._account_id, self._region_name)
        else:
            _original["delete_resource"](self, parsed_resource, resource_json)
    except Exception as error:
        report("DELETE_FAILED", getattr(error, "message", None) or str(error) or type(error).__name__)
        raise
    report("DELETE_COMPLETE")


def _delete_or_keep(resources: parsing.ResourceMap, name: str, spec: dict[str, Any], rollback: bool) -> None:
    from .stacks import _event, _stack_of

    resource = resources._parsed_resources[name]
    policy = deletion_policy(resources, spec)
    if policy == "Retain" or (policy == "RetainExceptOnCreate" and not rollback):
        stack = _stack_of(resources)
        if stack is not None:
            _event(stack, name, str(getattr(resource, "physical_resource_id", "") or ""),
                   spec.get("Type", ""), "DELETE_SKIPPED", None)
    else:
        resources._delete_resource(resource, spec, take_snapshot=policy == "Snapshot")
    resources._parsed_resources.pop(name, None)


def delete_resources(resources: parsing.ResourceMap, names: list[str], specs: dict[str, Any],
                     rollback: bool = False) -> list[str]:
    """Delete ``names`` (logical ids whose definitions are in ``specs``), dependents first; among
    resources that may go at the same time (AWS deletes them in parallel), the later in the
    template goes first. A resource that fails keeps what it depends on. Returns the failures."""
    wanted = set(names)
    remaining = [name for name in reversed(list(specs)) if name in wanted]
    needs = {name: dependencies(specs[name], set(remaining)) - {name} for name in remaining}
    failed: list[str] = []
    while True:
        ready = [name for name in remaining if name not in failed
                 and not any(name in needs[other] for other in remaining if other != name)]
        if not ready:
            break
        for name in ready:
            try:
                _delete_or_keep(resources, name, specs[name], rollback)
            except Exception:
                failed.append(name)
            else:
                remaining.remove(name)
    if remaining and not failed:  # AWS refuses circular templates; say so rather than loop
        raise DeleteFailed(remaining)
    return failed


def _live(resources: parsing.ResourceMap) -> list[str]:
    return [name for name in resources._resource_json_map
            if not isinstance(resources._parsed_resources.get(name), (str, type(None)))]


def delete(self: parsing.ResourceMap, rollback: bool = False) -> None:
    """Delete the stack's resources (DeleteStack, or rolling back a failed creation) in reverse
    dependency order, honouring DeletionPolicy; DeleteFailed names the resources that failed."""
    failed = delete_resources(self, _live(self), self._resource_json_map, rollback)
    if failed:
        raise DeleteFailed(failed)


def build_resource_diff(self: parsing.ResourceMap, *args: Any, **kwargs: Any) -> dict[str, list[str]]:
    """While an update runs, removals wait for the cleanup after it (see cleanup_removed)."""
    diff = _original["build_resource_diff"](self, *args, **kwargs)
    if getattr(self, "cfn_stages_cleanup_later", False):
        diff = dict(diff, Remove=[])
    return diff


def cleanup_removed(resources: parsing.ResourceMap, names: list[str], old_specs: dict[str, Any]) -> None:
    """AWS: resources an update removes are deleted once the update is done (cleanup), dependents
    first and honouring DeletionPolicy; a failure there does not fail the update (the resource is
    left, with a DELETE_FAILED event). Either way the stack stops listing them."""
    live = [name for name in names if not isinstance(resources._parsed_resources.get(name), (str, type(None)))]
    delete_resources(resources, live, old_specs)
    for name in names:
        resources._parsed_resources.pop(name, None)


def cleanup_replaced(resources: parsing.ResourceMap, replaced: list[tuple[str, Any]],
                     old_specs: dict[str, Any]) -> None:
    """AWS: a replacement creates the new resource first; once the update is done, the old one is
    deleted in the cleanup (dependents first), honouring UpdateReplacePolicy (Retain: kept, with
    DELETE_SKIPPED; Snapshot: a final snapshot first). A failure there does not fail the update.
    ``replaced`` holds (logical id, old resource) pairs; the stack lists only the new resources."""
    from .stacks import _event, _stack_of

    olds = {name: resource for name, resource in replaced if name in old_specs}
    remaining = [name for name in reversed(list(old_specs)) if name in olds]
    while remaining:
        ready = [name for name in remaining
                 if not any(name in dependencies(old_specs[other], set(remaining)) - {other} for other in remaining)]
        for name in ready or remaining:  # a circular template: AWS refuses those; just go on
            resource, spec = olds[name], old_specs[name]
            remaining.remove(name)
            physical_id = str(getattr(resource, "physical_resource_id", "") or "")
            current = resources._parsed_resources.get(name)
            if physical_id and physical_id == str(getattr(current, "physical_resource_id", "") or ""):
                continue  # the "new" one is the same object (a name clash AWS would have refused)
            policy = deletion_policy(resources, spec, "UpdateReplacePolicy")
            if policy == "Retain":
                stack = _stack_of(resources)
                if stack is not None:
                    _event(stack, name, physical_id, spec.get("Type", ""), "DELETE_SKIPPED", None)
                continue
            try:
                resources._delete_resource(resource, spec, take_snapshot=policy == "Snapshot")
            except Exception:  # reported as DELETE_FAILED by _delete_resource; the update stands
                pass


def install() -> None:
    _original["build_resource_diff"] = parsing.ResourceMap.build_resource_diff
    parsing.ResourceMap.build_resource_diff = build_resource_diff
    parsing.ResourceMap._delete_resource = _delete_resource
    parsing.ResourceMap.delete = delete
