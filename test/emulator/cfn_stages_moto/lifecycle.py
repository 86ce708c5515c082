"""What living with an environment needs of the emulator: destroy, then create again; a first
creation that fails, then the fix. Each function names the AWS behaviour it reproduces; see the
"Lifecycle" table in ../README.md and test/e2e/lifecycle.test.ts, which needs them.

- Resource import (``ChangeSetType: IMPORT``) into a new stack: the kept ECR repository is adopted
  by the stack created again after a destroy.
- A named resource can be made to fail on create or update (an SSM parameter, see FAIL_PREFIX).
- Automated cluster snapshots go with their cluster; a cluster can be created from a snapshot.
- A KMS key deleted with its stack is scheduled for deletion after its PendingWindowInDays.
- CreateStack refused for a missing export leaves no stack; executed change sets are gone;
  LastUpdatedTime is set by an update.
"""

from __future__ import annotations

import json
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import Change, CloudFormationBackend, Stack
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult
from moto.core.utils import utcnow

#: ``/cfn-stages-emulator/fail/<stack name>/<logical id>`` = ``create``, ``update`` or
#: ``create,update``: that resource fails when the stack creates or updates it, until the
#: parameter is deleted. Tests set it with the real SSM client (PutParameter).
FAIL_PREFIX = "/cfn-stages-emulator/fail/"

#: Types the emulator can import, with the identifier property and how to find the resource.
IMPORTABLE = {"AWS::ECR::Repository": "RepositoryName"}

_original: dict[str, Any] = {}


# --- failure injection ------------------------------------------------------------------------

class InjectedFailure(Exception):
    """A resource failure requested by a test: the stack fails and rolls back as on AWS."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _injected(resources_map: Any, logical_id: str, action: str) -> str | None:
    from moto.ssm.models import ssm_backends

    stack_name = resources_map._parsed_resources.get("AWS::StackName", "")
    name = f"{FAIL_PREFIX}{stack_name}/{logical_id}"
    parameter = ssm_backends[resources_map._account_id][resources_map._region_name]._parameters.get(name)
    if not parameter:
        return None
    wanted = {part.strip() for part in parameter[-1].value.split(",")}
    return name if action in wanted else None


def _failing(original: Any, action: str) -> Any:
    def wrapper(logical_id: str, resource_json: dict[str, Any], resources_map: Any, *args: Any, **kwargs: Any) -> Any:
        where = _injected(resources_map, logical_id, action)
        if where:
            error = InjectedFailure(f"Resource handler returned message: \"Failure requested by the test ({where})\"")
            error.cfn_stages_resource = (logical_id, resource_json.get("Type", ""))  # type: ignore[attr-defined]
            raise error
        return original(logical_id, resource_json, resources_map, *args, **kwargs)
    return wrapper


# --- stacks and change sets ---------------------------------------------------------------------

def create_stack(self: CloudFormationBackend, name: str, *args: Any, **kwargs: Any) -> Stack:
    """AWS: CreateStack whose template imports an export nobody has is refused ("No export named
    X found") and no stack exists afterwards. moto: raises half-way and leaves a stack whose
    DescribeStacks fails with HTTP 500."""
    before = set(self.stacks)
    try:
        return _original["create_stack"](self, name, *args, **kwargs)
    except Exception as error:
        for stack_id in set(self.stacks) - before:
            del self.stacks[stack_id]
        missing = getattr(error, "message", None) or str(error)
        if "export" in missing.lower():
            raise ValidationError(message=missing) from error
        raise


def execute_change_set(self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None) -> None:
    """AWS: executing a change set removes the stack's change sets, the executed one included;
    an update sets LastUpdatedTime. moto: keeps them (and the executed one shows
    EXECUTE_COMPLETE); never sets LastUpdatedTime. IMPORT change sets are executed here."""
    from .stacks import find_change_set

    change_set = find_change_set(self, change_set_name, stack_name)
    stack = self.stacks[change_set.stack_id]
    if change_set.change_set_type == "IMPORT":
        _execute_import(self, change_set, stack)
    else:
        _original["execute_change_set"](self, change_set_name, stack_name)
    if stack.status in ("CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"):
        if change_set.change_set_type == "UPDATE":
            stack.last_updated_time = utcnow()
        for cs_id in [cs_id for cs_id, cs in self.change_sets.items() if cs.stack_id == stack.stack_id]:
            del self.change_sets[cs_id]


def update_stack(self: CloudFormationBackend, *args: Any, **kwargs: Any) -> Stack:
    stack = _original["update_stack"](self, *args, **kwargs)
    if stack.status == "UPDATE_COMPLETE":
        stack.last_updated_time = utcnow()
    return stack


# --- resource import ----------------------------------------------------------------------------

def _existing(account_id: str, region_name: str, kind: str, identifier: str) -> Any:
    if kind == "AWS::ECR::Repository":
        from moto.ecr.models import ecr_backends

        return ecr_backends[account_id][region_name].repositories.get(identifier)
    return None


def _owner(backend: CloudFormationBackend, kind: str, physical_id: str) -> str | None:
    for stack in backend.stacks.values():
        for resource in stack.resource_map._parsed_resources.values():
            if getattr(resource, "physical_resource_id", None) == physical_id and stack.status != "REVIEW_IN_PROGRESS":
                return stack.name
    return None


def _import_problem(backend: CloudFormationBackend, template: dict[str, Any], wanted: list[dict[str, Any]]) -> str | None:
    """Why AWS would refuse this IMPORT change set for a new stack, or None."""
    resources = template.get("Resources", {})
    named = {w["LogicalResourceId"] for w in wanted}
    others = sorted(set(resources) - named)
    if others:
        return (f"You have modified resources {others} in your template that are not being imported. "
                "Update, create or delete operations cannot be executed during import operations.")
    if template.get("Outputs"):
        return "As part of the import operation, you cannot modify or add [Outputs]"
    for w in wanted:
        logical_id, kind = w["LogicalResourceId"], w["ResourceType"]
        spec = resources.get(logical_id)
        if spec is None or spec.get("Type") != kind:
            return f"Resource {logical_id} of type {kind} is not in the template"
        if not spec.get("DeletionPolicy"):
            return f"The following resources to import [{logical_id}] must have DeletionPolicy attribute specified in the template."
        if kind not in IMPORTABLE:
            return f"ResourceType {kind} is not supported for import by the emulator"
        identifier = (w.get("ResourceIdentifier") or {}).get(IMPORTABLE[kind], "")
        if _existing(backend.account_id, backend.region_name, kind, identifier) is None:
            return f"Resources [{logical_id}] with identifier {json.dumps({IMPORTABLE[kind]: identifier})} do not exist"
        owner = _owner(backend, kind, identifier)
        if owner:
            return f"Resource {identifier} of type {kind} already belongs to stack {owner}"
    return None


def _resources_to_import(response: CloudFormationResponse) -> list[dict[str, Any]]:
    wanted = response._get_param("ResourcesToImport", [])
    for w in wanted:  # the query protocol sends the identifier map as entries
        ident = w.get("ResourceIdentifier")
        if isinstance(ident, list):
            w["ResourceIdentifier"] = {e.get("key") or e.get("Key"): e.get("value") or e.get("Value") for e in ident}
    return wanted


def create_change_set(self: CloudFormationResponse) -> ActionResult:
    """AWS: CreateChangeSet with ChangeSetType IMPORT adopts existing resources named in
    ResourcesToImport; the template may hold nothing else, no outputs, and each imported resource
    needs a DeletionPolicy; a resource that does not exist, or belongs to another stack, is
    refused (the change set FAILS with the reason). moto: no IMPORT (ResourcesToImport ignored)."""
    if self._get_param("ChangeSetType") != "IMPORT":
        return _original["create_change_set_action"](self)
    backend = self.cloudformation_backend
    stack_name = self._get_param("StackName")
    if any(s.name == stack_name and s.status != "REVIEW_IN_PROGRESS" for s in backend.stacks.values()):
        raise ValidationError(message="The emulator imports only into a new stack")
    body = self._get_param("TemplateBody") or self._get_stack_from_s3_url(self._get_param("TemplateURL"))
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in self._get_param("Parameters", [])}
    tags = {t["Key"]: t["Value"] for t in self._get_param("Tags", [])}
    wanted = _resources_to_import(self)
    change_set_id, stack_id = backend.create_change_set(
        stack_name=stack_name, change_set_name=self._get_param("ChangeSetName"), template=body,
        parameters=parameters, description=self._get_param("Description"), change_set_type="IMPORT", tags=tags)
    change_set = backend.change_sets[change_set_id]
    change_set.resources_to_import = wanted
    problem = _import_problem(backend, Stack.parse_template(body), wanted)
    if problem:
        change_set.status, change_set.execution_status, change_set.status_reason = "FAILED", "UNAVAILABLE", problem
    changes = []
    for w in wanted:
        change = Change(action="Import", logical_resource_id=w["LogicalResourceId"], resource_type=w["ResourceType"])
        change.physical_resource_id = (w.get("ResourceIdentifier") or {}).get(IMPORTABLE.get(w["ResourceType"], ""), None)
        changes.append(change)
    change_set.changes = changes
    return ActionResult({"Id": change_set_id, "StackId": stack_id})


def _execute_import(backend: CloudFormationBackend, change_set: Any, stack: Stack) -> None:
    from .stacks import _event

    stack.template = change_set.template
    stack._parse_template()
    stack.parameters = dict(change_set.parameters or {})
    if change_set.tags:
        stack.tags = change_set.tags
    stack.resource_map = stack._create_resource_map()
    resources = stack.resource_map
    resources._template = stack.template_dict
    resources._resource_json_map = stack.template_dict.get("Resources", {})
    stack._add_stack_event("IMPORT_IN_PROGRESS", resource_status_reason="User Initiated")
    for w in change_set.resources_to_import:
        kind, logical_id = w["ResourceType"], w["LogicalResourceId"]
        identifier = w["ResourceIdentifier"][IMPORTABLE[kind]]
        resource = _existing(backend.account_id, backend.region_name, kind, identifier)
        resource.logical_resource_id = logical_id
        resources._parsed_resources[logical_id] = resource
        for status in ("IMPORT_IN_PROGRESS", "IMPORT_COMPLETE"):
            _event(stack, logical_id, identifier, kind, status, None)
    stack.output_map = stack._create_output_map()
    stack._add_stack_event("IMPORT_COMPLETE")
    stack.status = "IMPORT_COMPLETE"
    change_set.execution_status = "EXECUTE_COMPLETE"


# --- snapshots, restores, keys ------------------------------------------------------------------

def delete_db_cluster(self: Any, cluster_identifier: str, snapshot_name: str | None = None) -> Any:
    """AWS: a cluster's automated snapshots are deleted with it (only manual and final snapshots
    stay). moto: keeps them, so a cluster created again with the same identifier in the same
    minute fails on "snapshot rds:<id>-<minute> already exists"."""
    cluster = _original["delete_db_cluster"](self, cluster_identifier, snapshot_name)
    for name in [name for name, snap in self.cluster_snapshots.items()
                 if snap.snapshot_type == "automated" and snap.cluster.db_cluster_identifier == cluster_identifier]:
        del self.cluster_snapshots[name]
    return cluster


def _restoring(original: Any, engine: str) -> Any:
    """AWS: a DBCluster with SnapshotIdentifier is restored from that cluster snapshot, which must
    exist and be of the same engine (DBClusterSnapshotNotFoundFault otherwise). moto's own
    CloudFormation has no DBCluster; here the snapshot is checked, and the cluster is created with
    what a restore takes from it (master user and password, database name, encryption) where the
    template leaves them out, as it must when restoring (the emulator holds no data to bring back)."""
    def create(cls: Any, name: str, props: dict[str, Any], account_id: str, region_name: str, logical_id: str) -> Any:
        snapshot_id = props.get("SnapshotIdentifier")
        if snapshot_id:
            from moto.rds.exceptions import DBClusterSnapshotNotFoundError
            from moto.rds.models import rds_backends

            key = str(snapshot_id).split(":")[-1]
            snapshot = rds_backends[account_id][region_name].cluster_snapshots.get(key)
            if snapshot is None or (engine and getattr(snapshot.cluster, "engine", engine) != engine):
                raise DBClusterSnapshotNotFoundError(str(snapshot_id))
            source = snapshot.cluster
            inherited = {"MasterUsername": source.master_username, "MasterUserPassword": getattr(source, "_master_user_password", None),
                         "DatabaseName": getattr(source, "database_name", None), "StorageEncrypted": source.storage_encrypted}
            props = {**{k: v for k, v in inherited.items() if v is not None}, **props}
        return original.__func__(cls, name, props, account_id, region_name, logical_id)
    return classmethod(create)


def delete_kms_key(resource: Any, account_id: str, region_name: str) -> None:
    """AWS: deleting an AWS::KMS::Key schedules its deletion after PendingWindowInDays (7 to 30,
    default 30); the key is PendingDeletion until then. moto: the key stays Enabled."""
    from moto.kms.models import kms_backends

    spec = getattr(resource, "cfn_stages_props", {}) or {}
    days = int(spec.get("PendingWindowInDays") or 30)
    kms_backends[account_id][region_name].schedule_key_deletion(resource.id, days)


def _remember_key_props(original: Any) -> Any:
    def create(cls: Any, resource_name: str, cloudformation_json: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        key = original.__func__(cls, resource_name, cloudformation_json, *args, **kwargs)
        key.cfn_stages_props = cloudformation_json.get("Properties", {})
        return key
    return classmethod(create)


def install() -> None:
    """Call after stacks.install() and updates.install(): wraps what they installed."""
    from moto.kms.models import Key
    from moto.rds.models import RDSBackend

    from . import documentdb, rds, teardown

    _original.update(
        create_stack=CloudFormationBackend.create_stack,
        execute_change_set=CloudFormationBackend.execute_change_set,
        update_stack=CloudFormationBackend.update_stack,
        create_change_set_action=CloudFormationResponse.create_change_set,
        delete_db_cluster=RDSBackend.delete_db_cluster,
    )
    CloudFormationBackend.create_stack = create_stack
    CloudFormationBackend.execute_change_set = execute_change_set
    CloudFormationBackend.update_stack = update_stack
    CloudFormationResponse.create_change_set = create_change_set
    RDSBackend.delete_db_cluster = delete_db_cluster
    parsing.parse_and_create_resource = _failing(parsing.parse_and_create_resource, "create")
    parsing.parse_and_update_resource = _failing(parsing.parse_and_update_resource, "update")
    rds.DBCluster.create = _restoring(rds.DBCluster.create, "aurora-postgresql")
    documentdb.DBCluster.create = _restoring(documentdb.DBCluster.create, "")
    Key.create_from_cloudformation_json = _remember_key_props(Key.create_from_cloudformation_json)
    teardown.DELETERS["AWS::KMS::Key"] = delete_kms_key
