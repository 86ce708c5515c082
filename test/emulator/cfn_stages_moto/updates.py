"""Stack updates: what a change set lists, and what executing it changes.

AWS: a change set compares the stack as it is with the stack the new template and parameters
describe, conditions included: a resource whose Condition turns true is added, one whose Condition
turns false is removed, and one whose properties change (directly, or through a parameter or
condition it uses) is modified, with Replacement "True" when a create-only property changes.
A replaced resource gets a new physical id, so every resource whose properties point at it (Ref,
Fn::GetAtt, Fn::Sub, wherever in Fn::If/Fn::Join/...) is modified too, with the reference as the
cause (ChangeSource ResourceReference / ResourceAttribute, CausingEntity the replaced resource),
and is itself replaced when that property is create-only. Executing the change set applies
exactly that in dependency order: the replacement is created first, the resources pointing at it
are updated to its new id, and the old one is deleted in the cleanup after the update. A resource
updated in place keeps its physical id.
moto 5.2.1: compares template text only (a parameter-only change lists nothing and conditions are
ignored, so resources never appear or disappear on update; a resource pointing at a replaced one
is not listed and keeps the old id, e.g. an ECS service keeps running the old task definition),
and a modified resource of a type without update support is dropped from the stack (its Ref
becomes empty).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from moto.cloudformation import parsing
from moto.cloudformation.models import Change, ChangeSet

from .deletion import cleanup_removed, cleanup_replaced, dependencies
from .schemas import create_only_properties

_inner_update_resource = parsing.parse_and_update_resource


def uses(node: Any) -> Iterator[tuple[str, str]]:
    """What a template fragment uses, as (kind, entity): ("Ref", X) for Ref and ${X} in Fn::Sub,
    ("GetAtt", "X.Attr") for Fn::GetAtt and ${X.Attr}, ("If", C) for an Fn::If condition."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                yield "Ref", value
            elif key == "Fn::Sub":
                yield from _sub_uses(value)
            elif key == "Fn::If" and isinstance(value, list) and value and isinstance(value[0], str):
                yield "If", value[0]
            elif key == "Fn::GetAtt":
                target = ".".join(value[:2]) if isinstance(value, list) and all(isinstance(v, str) for v in value[:2]) else value
                if isinstance(target, str):
                    yield "GetAtt", target
            yield from uses(value)
    elif isinstance(node, list):
        for item in node:
            yield from uses(item)


def _sub_uses(value: Any) -> Iterator[tuple[str, str]]:
    """${X} / ${X.Attr} in an Fn::Sub, less ${!literals} and the Sub's own variables."""
    text, variables = (value[0], value[1] if len(value) > 1 else {}) if isinstance(value, list) else (value, {})
    if not isinstance(text, str):
        return
    local = set(variables) if isinstance(variables, dict) else set()
    for match in re.findall(r"\$\{([^!}][^}]*)\}", text):
        name = match.strip()
        if name.split(".", 1)[0] not in local:
            yield ("GetAtt" if "." in name else "Ref"), name


def references(node: Any) -> set[str]:
    """Names a template fragment uses: parameters, resources (Ref, GetAtt, Sub), conditions (Fn::If)."""
    return {entity.split(".", 1)[0] for _, entity in uses(node)}


def _future(resources: parsing.ResourceMap, template: dict[str, Any], parameters: dict[str, Any]) -> parsing.ResourceMap:
    """The stack's parameters and conditions as the new template and parameters make them."""
    future = parsing.ResourceMap(resources.stack_id, resources["AWS::StackName"], parameters, resources.tags,
                                 resources._region_name, resources._account_id, template,
                                 resources.cross_stack_resources)
    future.load_mapping()
    future.load_parameters()
    future.load_conditions()
    return future


def _live(resources: parsing.ResourceMap, names: dict[str, Any]) -> set[str]:
    return {name for name, spec in names.items()
            if not spec.get("Condition") or resources.lazy_condition_map[spec["Condition"]]}


def _changed(current: parsing.ResourceMap, future: parsing.ResourceMap) -> set[str]:
    """Parameters and conditions whose values differ between now and after the update."""
    changed = {name for name, value in future.resolved_parameters.items()
               if current.resolved_parameters.get(name) != value}
    old_conditions = getattr(current, "lazy_condition_map", {})
    return changed | {name for name in future.lazy_condition_map
                      if name not in old_conditions or old_conditions[name] != future.lazy_condition_map[name]}


@dataclass
class Plan:
    """What an update does: resource names by action, and why."""

    actions: dict[str, list[str]]
    #: Parameters and conditions whose values change.
    changed: set[str] = field(default_factory=set)
    #: Parameters among them.
    parameters: set[str] = field(default_factory=set)
    #: Modified resources that are replaced (new physical id).
    replaced: set[str] = field(default_factory=set)


def _diff(self: parsing.ResourceMap, template: dict[str, Any], parameters: dict[str, Any] | None) -> Plan:
    old, new = self._resource_json_map, template.get("Resources", {})
    future = _future(self, template, parameters if parameters is not None else self.input_parameters)
    existing = {name for name in old if self._parsed_resources.get(name) is not None}
    wanted = _live(future, new)
    changed = _changed(self, future)
    kept = sorted(existing & wanted)
    direct = {name for name in kept if new[name] != old.get(name) or references(new[name]) & changed}
    # A replaced resource changes the value of every Ref/GetAtt to it: those resources are
    # modified too, and replaced when the property is create-only, and so on down the chain.
    replaced: set[str] = set()
    while True:
        modify = direct | {name for name in kept if references(new[name]) & replaced}
        now = {name for name in modify if _replaces(new[name], old[name].get("Properties", {}), changed | replaced)}
        if now == replaced:
            break
        replaced = now
    actions = {
        "Add": [name for name in new if name in wanted - existing],
        "Modify": [name for name in kept if name in modify],
        "Remove": [name for name in old if name in existing - wanted],
    }
    return Plan(actions, changed, changed & set(future.resolved_parameters), replaced)


def _in_dependency_order(names: list[str], specs: dict[str, Any]) -> list[str]:
    """``names`` ordered so that each comes after those among them it refers to (AWS updates a
    resource only once what it points at is done: a replacement before its dependents)."""
    remaining, ordered = list(names), []
    while remaining:
        ready = [name for name in remaining
                 if not dependencies(specs[name], set(remaining) - {name})] or remaining[:1]
        ordered += ready
        remaining = [name for name in remaining if name not in ready]
    return ordered


def build_resource_diff(self: parsing.ResourceMap, other_template: dict[str, Any],
                        parameters: dict[str, Any] | None = None) -> dict[str, list[str]]:
    """The names moto's update applies; Modify in dependency order (moto goes through the list in
    order, so a resource pointing at a replaced one must come after it)."""
    actions = dict(_diff(self, other_template, parameters).actions)
    actions["Modify"] = _in_dependency_order(actions["Modify"], other_template.get("Resources", {}))
    return actions


def change_set_diff(self: ChangeSet) -> list[Change]:
    resources = self.stack.resource_map
    plan = _diff(resources, self.template_dict, self.parameters)
    new = self.template_dict.get("Resources", {})
    changes = []
    for action, names in plan.actions.items():
        for name in names:
            spec = new.get(name) or resources._resource_json_map[name]
            change = Change(action=action, logical_resource_id=name, resource_type=spec["Type"])
            existing = resources._parsed_resources.get(name)
            change.physical_resource_id = getattr(existing, "physical_resource_id", None)
            if action == "Modify":
                change.replacement = "True" if name in plan.replaced else "False"
                change.details = _details(spec, resources._resource_json_map[name], plan)
                change.scope = sorted({d["Target"]["Attribute"] for d in change.details}) or ["Properties"]
            changes.append(change)
    return changes


def _details(spec: dict[str, Any], old_spec: dict[str, Any], plan: Plan) -> list[dict[str, Any]]:
    """AWS's ResourceChangeDetail list: per property, a direct edit (DirectModification, also for a
    value chosen by a condition that changed), a changed parameter it uses (ParameterReference), a replaced resource it points at (ResourceReference
    for Ref, ResourceAttribute for GetAtt; AWS adds a Dynamic DirectModification beside it, since
    the new value is known only once the replacement exists)."""
    new_props, old_props = spec.get("Properties") or {}, old_spec.get("Properties") or {}
    create_only = create_only_properties(spec["Type"])
    details: list[dict[str, Any]] = []

    def add(prop: str, source: str, entity: str | None = None, evaluation: str = "Static") -> None:
        target = {"Attribute": "Tags"} if prop == "Tags" else {"Attribute": "Properties", "Name": prop}
        target["RequiresRecreation"] = "Always" if prop in create_only else "Never"
        detail = {"Target": target, "Evaluation": evaluation, "ChangeSource": source,
                  **({"CausingEntity": entity} if entity else {})}
        if detail not in details:
            details.append(detail)

    for prop in sorted(set(new_props) | set(old_props)):
        if new_props.get(prop) != old_props.get(prop):
            add(prop, "DirectModification")
        for kind, entity in uses(new_props.get(prop)):
            if kind == "Ref" and entity in plan.parameters:
                add(prop, "ParameterReference", entity)
            elif kind == "If" and entity in plan.changed:
                # Its value moves with a condition (Fn::If) that changed: the template text is the
                # same, the resolved value is not. AWS does not document this case's detail.
                add(prop, "DirectModification")
            elif kind in ("Ref", "GetAtt") and entity.split(".", 1)[0] in plan.replaced:
                add(prop, "DirectModification", evaluation="Dynamic")
                add(prop, "ResourceReference" if kind == "Ref" else "ResourceAttribute", entity)
    return details


def _replaces(spec: dict[str, Any], old_props: dict[str, Any], changed: set[str]) -> bool:
    """A create-only property is written differently, or uses a parameter/condition that changed
    or a resource that is replaced."""
    new_props = spec.get("Properties", {})
    return any(old_props.get(prop) != new_props.get(prop) or references(new_props.get(prop)) & changed
               for prop in create_only_properties(spec["Type"]))


_original_update = parsing.ResourceMap.update


def update(self: parsing.ResourceMap, template: dict[str, Any], parameters: dict[str, Any] | None = None) -> None:
    """Apply an update: as moto does, plus replacing what a create-only change replaces (the new
    resource first, its dependents updated to it, the old one deleted in the cleanup: see
    deletion.cleanup_replaced); removed resources are deleted after it, as AWS's cleanup does
    (see deletion.cleanup_removed; moto deleted them first, ignoring DeletionPolicy, and kept
    listing them)."""
    plan = _diff(self, template, parameters)
    old_specs = dict(self._resource_json_map)
    self.cfn_stages_replace = plan.replaced
    replaced_old: list[tuple[str, Any]] = []
    self.cfn_stages_replaced_old = replaced_old
    self.cfn_stages_cleanup_later = True
    try:
        _original_update(self, template, parameters)
    except Exception:
        # A failed update never reaches the cleanup: the removed resources stay in the stack,
        # so a later DeleteStack still deletes them.
        kept = {name: old_specs[name] for name in plan.actions["Remove"] if name not in self._resource_json_map}
        self._resource_json_map = {**self._resource_json_map, **kept}
        raise
    finally:
        self.cfn_stages_cleanup_later = False
        self.cfn_stages_replace = set()
    cleanup_replaced(self, replaced_old, old_specs)
    cleanup_removed(self, plan.actions["Remove"], old_specs)


def update_resource(logical_id: str, resource_json: dict[str, Any], resources_map: parsing.ResourceMap,
                    account_id: str, region_name: str) -> Any:
    """Replace a resource whose create-only properties change, creating the new one first (moto's
    own types updated in place whatever changed); keep one whose type moto cannot update (AWS
    would update it in place). The emulated types (base.Resource) replace themselves."""
    from .base import Resource

    original = resources_map._parsed_resources.get(logical_id)
    if logical_id in getattr(resources_map, "cfn_stages_replace", ()) and not isinstance(original, Resource):
        created = parsing.parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name)
        if original is not None:
            resources_map.cfn_stages_replaced_old.append((logical_id, original))
        return created
    updated = _inner_update_resource(logical_id, resource_json, resources_map, account_id, region_name)
    return updated if updated is not None else original


def install() -> None:
    global _inner_update_resource
    parsing.ResourceMap.build_resource_diff = build_resource_diff
    parsing.ResourceMap.update = update
    ChangeSet.diff = change_set_diff
    _inner_update_resource = parsing.parse_and_update_resource  # may already be wrapped
    parsing.parse_and_update_resource = update_resource
