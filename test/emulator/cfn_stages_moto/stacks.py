"""Stack-level CloudFormation behaviour moto 5.2.1 lacks or gets wrong.

Each function below names the AWS behaviour it reproduces. They replace methods of moto's
``CloudFormationBackend``, ``Stack``, ``ResourceMap`` and ``CloudFormationResponse``
(``moto/cloudformation/{models,parsing,responses}.py``), so they rest on moto 5.2.1's internals.
"""

from __future__ import annotations

import re
from typing import Any, Iterable
from urllib.parse import unquote, urlparse

from moto.cloudformation import models, parsing, responses
from moto.cloudformation.exceptions import CloudFormationError, ValidationError
from moto.cloudformation.models import CloudFormationBackend, Event, Stack
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult, EmptyResult

from .base import flag

_original = {
    "execute_change_set": CloudFormationBackend.execute_change_set,
    "create_change_set": CloudFormationBackend.create_change_set,
    "create_stack": CloudFormationBackend.create_stack,
    "update_stack": CloudFormationBackend.update_stack,
    "load_parameters": parsing.ResourceMap.load_parameters,
    "parse_and_create_resource": parsing.parse_and_create_resource,
    "parse_and_update_resource": parsing.parse_and_update_resource,
    "get_stack_from_s3_url": responses.get_stack_from_s3_url,
}


# --- exports ----------------------------------------------------------------------------------

def register_exports(backend: CloudFormationBackend, stack: Stack) -> None:
    """AWS: a stack's exports are (re)published whenever it is created or updated, by change set
    or not, and an export that left the template is withdrawn. moto: only create_stack publishes
    them (execute_change_set and update_stack never do), so Fn::ImportValue downstream fails."""
    mine = [name for name, export in backend.exports.items() if export.exporting_stack_id == stack.stack_id]
    new = stack.exports
    _check_exports_in_use(backend, stack, mine, {export.name: export.value for export in new})
    taken = {export.name for export in new} & (set(backend.exports) - set(mine))
    if taken:
        name = sorted(taken)[0]
        owner = backend.exports[name].exporting_stack_id
        raise ValidationError(message=f"Export with name {name} is already exported by stack {owner}")
    for name in mine:
        del backend.exports[name]
    for export in new:
        backend.exports[export.name] = export


def _check_exports_in_use(backend: CloudFormationBackend, stack: Stack, mine: list[str],
                          values: dict[str, Any]) -> None:
    """AWS: an export another stack imports can be neither withdrawn nor changed; the update fails
    (and rolls back) naming the importer."""
    for name in mine:
        if name in values and values[name] == backend.exports[name].value:
            continue
        users = importers(backend, name, skip=stack)
        if users and name not in values:
            raise ValidationError(message=f"Export {name} cannot be deleted as it is in use by {users[0]}")
        if users:
            raise ValidationError(message=f"Cannot update export {name} as it is in use by {users[0]}")


def _link_exports(backend: CloudFormationBackend, stack: Stack) -> None:
    # moto gives a stack made by a CREATE change set (and any stack made while no export existed)
    # its own empty export table; point it at the region's table so Fn::ImportValue sees exports.
    stack.cross_stack_resources = backend.exports
    stack.resource_map.cross_stack_resources = backend.exports


def imported_names(stack: Stack) -> set[str]:
    """The export names a stack's template imports (resolved against its own parameters)."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "Fn::ImportValue" in node:
                try:
                    found.add(str(parsing.clean_json(node["Fn::ImportValue"], stack.resource_map)))
                except Exception:  # an unresolvable name imports nothing
                    pass
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk([stack.template_dict.get("Resources"), stack.template_dict.get("Outputs")])
    return found


def importers(backend: CloudFormationBackend, export_name: str, skip: Stack | None = None) -> list[str]:
    """AWS ListImports: the names of the live stacks whose templates import ``export_name``."""
    return [stack.name for stack in backend.stacks.values()
            if stack is not skip and stack.status not in ("REVIEW_IN_PROGRESS", "ROLLBACK_COMPLETE")
            and export_name in imported_names(stack)]


# --- parameters -------------------------------------------------------------------------------

def _is_list(kind: str) -> bool:
    return kind == "CommaDelimitedList" or kind.startswith("List<")


def validate_parameters(template: dict[str, Any], given: dict[str, Any]) -> None:
    """AWS: CreateStack / CreateChangeSet / UpdateStack refuse unknown or missing parameters and
    values that break Type, AllowedValues, AllowedPattern, Min/MaxLength or Min/MaxValue (with
    ConstraintDescription as the message when there is one); for a CommaDelimitedList each member
    must satisfy them. moto: checks none of it."""
    declared = template.get("Parameters") or {}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise ValidationError(message=f"Parameters: [{', '.join(unknown)}] do not exist in the template")
    missing = sorted(k for k, p in declared.items() if k not in given and "Default" not in p)
    if missing:
        raise ValidationError(message=f"Parameters: [{', '.join(missing)}] must have values")
    for key, spec in declared.items():
        value = str(_text(given.get(key, spec.get("Default"))))  # a previous value may be a list
        # A CommaDelimitedList's constraints apply to each member, not to the whole string.
        members = [v.strip() for v in value.split(",")] if spec.get("Type") == "CommaDelimitedList" else [value]
        problem = next(filter(None, (_parameter_problem(spec, member) for member in members)), None)
        if problem:
            hint = spec.get("ConstraintDescription")
            raise ValidationError(message=f"Parameter '{key}' failed to satisfy constraint: {hint}"
                                  if hint else f"Parameter '{key}' {problem}")


def _parameter_problem(spec: dict[str, Any], value: str) -> str | None:
    kind = spec.get("Type", "String")
    if kind.startswith("AWS::") or (_is_list(kind) and kind != "CommaDelimitedList"):
        return None  # AWS-specific types are checked against the account; not emulated
    if "AllowedValues" in spec and value not in [str(v) for v in spec["AllowedValues"]]:
        return "must be one of AllowedValues"
    if "AllowedPattern" in spec and not re.fullmatch(spec["AllowedPattern"], value):
        return f"must match pattern {spec['AllowedPattern']}"
    if "MinLength" in spec and len(value) < int(spec["MinLength"]):
        return f"must contain at least {spec['MinLength']} characters"
    if "MaxLength" in spec and len(value) > int(spec["MaxLength"]):
        return f"must contain at most {spec['MaxLength']} characters"
    if kind == "Number":
        try:
            number = float(value)
        except ValueError:
            return "must be a number"
        if "MinValue" in spec and number < float(spec["MinValue"]):
            return f"must be a number not less than {spec['MinValue']}"
        if "MaxValue" in spec and number > float(spec["MaxValue"]):
            return f"must be a number not greater than {spec['MaxValue']}"
    return None


def load_parameters(self: parsing.ResourceMap) -> None:
    """AWS: a CommaDelimitedList (or List<...>) parameter is a list whether its value came from the
    caller or from Default, each member trimmed of spaces. moto: splits only caller values, so a
    default list stays one string and Fn::Select picks single characters out of it. A value kept
    with UsePreviousValue arrives here as a list already (moto's split would fail on it)."""
    self.input_parameters = {key: ",".join(str(v) for v in value) if isinstance(value, list) else value
                             for key, value in (self.input_parameters or {}).items()}
    _original["load_parameters"](self)
    declared = self._template.get("Parameters", {}) if self._template else {}
    for key, value in self.resolved_parameters.items():
        if not _is_list(declared.get(key, {}).get("Type", "String")):
            continue
        items = value.split(",") if isinstance(value, str) else value
        self.resolved_parameters[key] = [v.strip() if isinstance(v, str) else v for v in items]
    self._parsed_resources.update(self.resolved_parameters)


def _text(value: Any) -> Any:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if value is None or isinstance(value, str) else str(value)


def parameter_list(self: Stack) -> list[dict[str, Any]]:
    """AWS DescribeStacks: NoEcho parameter values read "****"; lists read as the comma string.
    moto: compares values against the NoEcho key names, so NoEcho values are echoed."""
    declared = self.template_dict.get("Parameters") or {}
    hidden = {key for key, spec in declared.items() if flag(spec.get("NoEcho"))}
    return [{"ParameterKey": key, "ParameterValue": "****" if key in hidden else _text(value)}
            for key, value in self.resource_map.resolved_parameters.items()]


def outputs(self: Stack) -> list[dict[str, Any]] | None:
    """AWS DescribeStacks: each output with its own ExportName, values as strings. moto: finds an
    output's export name by comparing VALUES, so two outputs with equal values swap names."""
    if self.status in ("REVIEW_IN_PROGRESS", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED"):
        return None  # nothing was created, so there is nothing to show (and resolving would create it)
    declared = self.output_map._output_json_map or {}
    result = []
    for key in self.output_map:
        output = self.output_map[key]
        if not output:
            continue
        export = declared[key].get("Export")
        name = parsing.clean_json(export["Name"], self.resource_map) if export else None
        result.append({"OutputKey": key, "OutputValue": _text(output.value),
                       "Description": output.description, "ExportName": name})
    return result or None


# --- change sets and stack operations ---------------------------------------------------------

class ChangeSetNotFound(CloudFormationError):
    """AWS answers an unknown change set with ChangeSetNotFoundException (moto: ValidationError)."""

    code = "ChangeSetNotFoundException"


def find_change_set(backend: CloudFormationBackend, name: str, stack_name: str | None = None) -> Any:
    """AWS: a change set is named by ARN, or by name within a stack (names repeat across stacks).
    moto: looks names up across all stacks and takes the last match."""
    if name in backend.change_sets:
        return backend.change_sets[name]
    matches = [cs for cs in backend.change_sets.values() if cs.change_set_name == name
               and (not stack_name or stack_name in (cs.stack_name, cs.stack_id))]
    if not matches:
        raise ChangeSetNotFound(f"ChangeSet [{name}] does not exist")
    return matches[-1]


def _stack_view(stack: Stack) -> dict[str, Any]:
    """What DescribeStacks shows, to put back when an update fails (resources are not rolled back)."""
    keys = ("template", "template_dict", "description", "parameters", "tags", "output_map")
    return {key: getattr(stack, key) for key in keys}


def _resolved_view(stack: Stack) -> tuple[dict[str, Any], dict[str, Any]]:
    """The parameters DescribeStacks lists (the resource map's, which moto updates in place before
    a resource fails), to put back with the stack view."""
    resources = stack.resource_map
    return dict(resources.resolved_parameters), dict(resources.input_parameters)


def _put_back(stack: Stack, before: dict[str, Any], resolved: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """AWS: a failed update rolls back to the stack's previous template and parameters. moto: its
    resource map keeps the new parameters, so DescribeStacks listed the values that failed."""
    stack.__dict__.update(before)
    stack.resource_map.resolved_parameters.clear()
    stack.resource_map.resolved_parameters.update(resolved[0])
    stack.resource_map.input_parameters = resolved[1]


def _event(stack: Stack, logical_id: str, physical_id: str, kind: str, status: str, reason: str | None) -> None:
    stack.events.append(Event(stack.stack_id, stack.name, logical_id, physical_id, kind, status, reason, None))


def _fail(stack: Stack, creating: bool, error: Exception) -> None:
    """AWS: a resource that fails makes the stack roll back; DescribeStackEvents holds the failed
    resource's reason. moto: the ExecuteChangeSet call itself errors and the stack is left as it was."""
    logical_id, kind = getattr(error, "cfn_stages_resource", (stack.name, "AWS::CloudFormation::Stack"))
    reason = getattr(error, "message", None) or str(error) or type(error).__name__
    _event(stack, logical_id, "", kind, "CREATE_FAILED" if creating else "UPDATE_FAILED", reason)
    word = "create" if creating else "update"
    prefix = "ROLLBACK" if creating else "UPDATE_ROLLBACK"
    stack._add_stack_event(f"{prefix}_IN_PROGRESS",
                           f"The following resource(s) failed to {word}: [{logical_id}]. ")
    if creating:
        try:  # roll back: delete what was made, dependents first, keeping Retain ones like AWS
            stack.resource_map.delete(rollback=True)  # (the emulator cannot undo a partial update)
        except Exception:  # AWS would say ROLLBACK_FAILED; the stack is unusable either way
            pass
    stack._add_stack_event(f"{prefix}_COMPLETE")
    stack.status = f"{prefix}_COMPLETE"


def execute_change_set(self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None) -> None:
    """AWS: executing a change set leaves the stack exactly as CreateStack/UpdateStack would: its
    template, parameters, outputs and exports. moto: applies the resources but keeps the old
    (for CREATE: empty) outputs and registers no exports."""
    change_set = find_change_set(self, change_set_name, stack_name)
    stack = self.stacks[change_set.stack_id]
    _link_exports(self, stack)
    creating = change_set.change_set_type == "CREATE"
    before, resolved = _stack_view(stack), _resolved_view(stack)
    try:
        _original["execute_change_set"](self, change_set.change_set_id, stack_name)
        stack.template = change_set.template
        stack._parse_template()
        stack.description = stack.template_dict.get("Description")
        stack.parameters = dict(change_set.parameters or {})
        if change_set.tags:
            stack.tags = change_set.tags
        stack.output_map = stack._create_output_map()
        register_exports(self, stack)
    except Exception as error:
        change_set.execution_status = "EXECUTE_FAILED"
        _put_back(stack, before, resolved)
        _fail(stack, creating, error)
        return
    # AWS deletes a stack's other change sets once one is executed.
    for other in [cs_id for cs_id, cs in self.change_sets.items()
                  if cs.stack_id == stack.stack_id and cs is not change_set]:
        del self.change_sets[other]


def create_change_set(self: CloudFormationBackend, stack_name: str, change_set_name: str, template: str,
                      parameters: dict[str, str], *args: Any, **kwargs: Any) -> tuple[str, str]:
    """AWS: a CREATE change set for a name whose stack is in REVIEW_IN_PROGRESS (it has only change
    sets, e.g. one left by an interrupted run) joins that stack; for a name whose stack exists in any
    other state it is refused ("already exists and cannot be created again"). moto: always makes a
    new stack, so two stacks share the name and DescribeStacks may answer the one never executed."""
    validate_parameters(Stack.parse_template(template), parameters)
    change_set_type = kwargs.get("change_set_type", args[1] if len(args) > 1 else "UPDATE")
    reviewing = None
    if change_set_type == "CREATE":
        live = [s for s in self.stacks.values() if s.name == stack_name and s.status != "DELETE_COMPLETE"]
        reviewing = next((s for s in live if s.status == "REVIEW_IN_PROGRESS"), None)
        if live and reviewing is None:
            raise ValidationError(message=f"Stack [{stack_name}] already exists and cannot be created again "
                                          f"with the changeSet [{change_set_name}].")
    change_set_id, stack_id = _original["create_change_set"](
        self, stack_name, change_set_name, template, parameters, *args, **kwargs)
    if reviewing is not None:
        change_set = self.change_sets[change_set_id]
        del self.stacks[stack_id]  # the stack moto just made: the change set goes on the one in review
        change_set.stack, change_set.stack_id = reviewing, reviewing.stack_id
        stack_id = reviewing.stack_id
    return change_set_id, stack_id


def create_stack(self: CloudFormationBackend, name: str, template: str, parameters: dict[str, Any],
                 *args: Any, **kwargs: Any) -> Stack:
    validate_parameters(Stack.parse_template(template), parameters)
    return _original["create_stack"](self, name, template, parameters, *args, **kwargs)


def update_stack(self: CloudFormationBackend, name: str, template: str, role_arn: str | None,
                 parameters: list[dict[str, Any]], tags: dict[str, str] | None) -> Stack:
    """AWS: UpdateStack republishes exports (see register_exports) and a failure rolls the update
    back. moto: publishes nothing and errors out on failure."""
    stack = self.get_stack(name)
    resolved = self._resolve_update_parameters(instance=stack, incoming_params=parameters)
    validate_parameters(Stack.parse_template(template), resolved)
    _link_exports(self, stack)
    before, resolved = _stack_view(stack), _resolved_view(stack)
    try:
        _original["update_stack"](self, name, template, role_arn, parameters, tags)
        register_exports(self, stack)
    except Exception as error:  # AWS: UPDATE_ROLLBACK_COMPLETE with the reason in the events
        _put_back(stack, before, resolved)
        _fail(stack, False, error)
    return stack


def delete_stack(self: CloudFormationBackend, name_or_stack_id: str) -> None:
    """AWS: DeleteStack is refused while termination protection is on; a stack whose export another
    stack imports ends DELETE_FAILED ("Export X cannot be deleted as it is in use by Y"); a
    resource that cannot be deleted also leaves DELETE_FAILED. Deleting a stack that does not
    exist succeeds. moto: ignores protection and imports and errors out on a failed resource."""
    stack = next((s for s in self.stacks.values() if name_or_stack_id in (s.stack_id, s.name)), None)
    if stack is None:
        return
    if stack.enable_termination_protection:
        raise ValidationError(message=f"Stack [{stack.name}] cannot be deleted while TerminationProtection is enabled")
    exported = [name for name, export in self.exports.items() if export.exporting_stack_id == stack.stack_id]
    for name in exported:
        users = importers(self, name, skip=stack)
        if users:
            stack._add_stack_event("DELETE_FAILED", f"Export {name} cannot be deleted as it is in use by {users[0]}")
            stack.status = "DELETE_FAILED"
            return
    try:
        stack.delete()
    except Exception as error:
        stack._add_stack_event("DELETE_FAILED", getattr(error, "message", None) or str(error))
        stack.status = "DELETE_FAILED"
        return
    self.stacks.pop(stack.stack_id)
    self.deleted_stacks[stack.stack_id] = stack
    for name in exported:
        self.exports.pop(name, None)
    for cs_id in [cs_id for cs_id, cs in self.change_sets.items() if cs.stack_id == stack.stack_id]:
        del self.change_sets[cs_id]


def _stack_of(resources_map: Any) -> Stack | None:
    backend = models.cloudformation_backends[resources_map._account_id][resources_map._region_name]
    return backend.stacks.get(resources_map.stack_id)


def _with_events(original: Any, action: str) -> Any:
    """AWS: every resource reports its progress in DescribeStackEvents (X_IN_PROGRESS, then
    X_COMPLETE or X_FAILED), which is what a deployer shows live. moto: stack-level events only.
    Here: each resource created or updated adds its two events (all at once: moto works
    synchronously), and a failure is tagged with the resource for the failure event (see _fail).
    Deletions report theirs in deletion.py."""
    def wrapper(logical_id: str, resource_json: dict[str, Any], resources_map: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            resource = original(logical_id, resource_json, resources_map, *args, **kwargs)
        except Exception as error:
            if not hasattr(error, "cfn_stages_resource"):
                error.cfn_stages_resource = (logical_id, resource_json.get("Type", ""))
            raise
        stack = _stack_of(resources_map) if resource is not None else None
        if stack is not None:
            physical_id = str(getattr(resource, "physical_resource_id", "") or "")
            for status in (f"{action}_IN_PROGRESS", f"{action}_COMPLETE"):
                _event(stack, logical_id, physical_id, resource_json.get("Type", ""), status, None)
        return resource
    return wrapper


# --- TemplateURL ------------------------------------------------------------------------------

def get_stack_from_s3_url(template_url: str, account_id: str, partition: str) -> str:
    """AWS: TemplateURL names an S3 object. moto: reads any host other than "localhost" as
    BUCKET.host, so http://127.0.0.1:PORT/bucket/key is read from bucket "127". Here: a loopback
    or IP host is path-style (/bucket/key); BUCKET.localhost is virtual-host style."""
    url = urlparse(template_url)
    host = url.hostname or ""
    path = unquote(url.path.lstrip("/"))
    if host == "localhost" or re.fullmatch(r"[\d.]+|[0-9a-f:]+", host):
        bucket, key = path.split("/", 1)
    elif host.endswith(".localhost"):
        bucket, key = host[: -len(".localhost")], path
    else:
        return _original["get_stack_from_s3_url"](template_url, account_id, partition)
    from moto.s3.models import s3_backends

    return s3_backends[account_id][partition].get_object(bucket, key).value.decode("utf-8")


# --- API actions ------------------------------------------------------------------------------

def list_imports(self: CloudFormationResponse) -> ActionResult:
    """AWS ListImports: the stacks importing an export; an export nobody imports is an error."""
    name = self._get_param("ExportName")
    stacks = importers(self.cloudformation_backend, name)
    if not stacks:
        raise ValidationError(message=f"Export '{name}' is not imported by any stack.")
    return ActionResult({"Imports": stacks})


def update_termination_protection(self: CloudFormationResponse) -> ActionResult:
    """AWS UpdateTerminationProtection (moto 5.2.1 has no such action)."""
    stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
    stack.enable_termination_protection = flag(self._get_param("EnableTerminationProtection"))
    return ActionResult({"StackId": stack.stack_id})


def _response_change_set(self: CloudFormationResponse) -> Any:
    return find_change_set(self.cloudformation_backend, self._get_param("ChangeSetName"),
                           self._get_param("StackName"))


def describe_change_set(self: CloudFormationResponse) -> ActionResult:
    return ActionResult(_response_change_set(self))


def delete_change_set(self: CloudFormationResponse) -> ActionResult:
    change_set = _response_change_set(self)
    del self.cloudformation_backend.change_sets[change_set.change_set_id]
    return EmptyResult()


def execute_change_set_action(self: CloudFormationResponse) -> ActionResult:
    change_set = _response_change_set(self)
    self.cloudformation_backend.execute_change_set(change_set.change_set_id, self._get_param("StackName"))
    return EmptyResult()


def list_change_sets(self: CloudFormationResponse) -> ActionResult:
    """AWS ListChangeSets lists one stack's change sets; moto lists every stack's."""
    wanted = self._get_param("StackName")
    summaries: Iterable[Any] = [cs for cs in self.cloudformation_backend.change_sets.values()
                                if wanted in (cs.stack_name, cs.stack_id)]
    return ActionResult({"Summaries": list(summaries)})


def install() -> None:
    backend = CloudFormationBackend
    backend.execute_change_set = execute_change_set
    backend.create_change_set = create_change_set
    backend.create_stack = create_stack
    backend.update_stack = update_stack
    backend.delete_stack = delete_stack
    Stack.parameter_list = property(parameter_list)
    Stack.outputs = property(outputs)
    parsing.ResourceMap.load_parameters = load_parameters
    parsing.parse_and_create_resource = _with_events(_original["parse_and_create_resource"], "CREATE")
    parsing.parse_and_update_resource = _with_events(_original["parse_and_update_resource"], "UPDATE")
    responses.get_stack_from_s3_url = get_stack_from_s3_url
    models.get_stack_from_s3_url = get_stack_from_s3_url
    response = CloudFormationResponse
    response.list_imports = list_imports
    response.update_termination_protection = update_termination_protection
    response.describe_change_set = describe_change_set
    response.delete_change_set = delete_change_set
    response.execute_change_set = execute_change_set_action
    response.list_change_sets = list_change_sets
