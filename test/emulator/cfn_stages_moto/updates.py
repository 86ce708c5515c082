"""Stack updates: what a change set lists, and what executing it changes.

AWS: a change set compares the stack as it is with the stack the new template and parameters
describe, conditions included: a resource whose Condition turns true is added, one whose Condition
turns false is removed, and one whose properties change (directly, or through a parameter or
condition it uses) is modified, with Replacement "True" when a create-only property changes.
Executing it applies exactly that; a resource updated in place keeps its physical id.
moto 5.2.1: compares template text only (a parameter-only change lists nothing and conditions are
ignored, so resources never appear or disappear on update), and a modified resource of a type
without update support is dropped from the stack (its Ref becomes empty).
"""

from __future__ import annotations

import re
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.models import Change, ChangeSet

from .deletion import cleanup_removed
from .schemas import create_only_properties

_inner_update_resource = parsing.parse_and_update_resource


def references(node: Any) -> set[str]:
    """Names a template fragment uses: Ref targets, ${X} in Fn::Sub, Fn::If conditions, GetAtt."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                found.update(re.findall(r"\$\{([^!}][^}.]*)", text) if isinstance(text, str) else [])
            elif key == "Fn::If" and isinstance(value, list) and value:
                found.add(value[0])
            elif key == "Fn::GetAtt" and isinstance(value, list) and value:
                found.add(value[0])
            found |= references(value)
    elif isinstance(node, list):
        for item in node:
            found |= references(item)
    return found


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


def _diff(self: parsing.ResourceMap, template: dict[str, Any], parameters: dict[str, Any] | None
          ) -> tuple[dict[str, list[str]], set[str]]:
    old, new = self._resource_json_map, template.get("Resources", {})
    future = _future(self, template, parameters if parameters is not None else self.input_parameters)
    existing = {name for name in old if self._parsed_resources.get(name) is not None}
    wanted = _live(future, new)
    changed = _changed(self, future)
    kept = sorted(existing & wanted)
    return {
        "Add": [name for name in new if name in wanted - existing],
        "Modify": [name for name in kept if new[name] != old.get(name) or references(new[name]) & changed],
        "Remove": [name for name in old if name in existing - wanted],
    }, changed


def build_resource_diff(self: parsing.ResourceMap, other_template: dict[str, Any],
                        parameters: dict[str, Any] | None = None) -> dict[str, list[str]]:
    return _diff(self, other_template, parameters)[0]


def change_set_diff(self: ChangeSet) -> list[Change]:
    resources = self.stack.resource_map
    diff, changed = _diff(resources, self.template_dict, self.parameters)
    new = self.template_dict.get("Resources", {})
    changes = []
    for action, names in diff.items():
        for name in names:
            spec = new.get(name) or resources._resource_json_map[name]
            change = Change(action=action, logical_resource_id=name, resource_type=spec["Type"])
            existing = resources._parsed_resources.get(name)
            change.physical_resource_id = getattr(existing, "physical_resource_id", None)
            if action == "Modify":
                old_props = resources._resource_json_map[name].get("Properties", {})
                change.replacement = "True" if _replaces(spec, old_props, changed) else "False"
                change.scope = ["Properties"]
            changes.append(change)
    return changes


def _replaces(spec: dict[str, Any], old_props: dict[str, Any], changed: set[str]) -> bool:
    """A create-only property is written differently, or uses a parameter/condition that changed."""
    new_props = spec.get("Properties", {})
    return any(old_props.get(prop) != new_props.get(prop) or references(new_props.get(prop)) & changed
               for prop in create_only_properties(spec["Type"]))


_original_update = parsing.ResourceMap.update


def update(self: parsing.ResourceMap, template: dict[str, Any], parameters: dict[str, Any] | None = None) -> None:
    """Apply an update: as moto does, plus replacing what a create-only change replaces; removed
    resources are deleted after it, as AWS's cleanup does (see deletion.cleanup_removed; moto
    deleted them first, ignoring DeletionPolicy, and kept listing them)."""
    diff, changed = _diff(self, template, parameters)
    new = template.get("Resources", {})
    old_specs = dict(self._resource_json_map)
    self.cfn_stages_replace = {name for name in diff["Modify"]
                               if _replaces(new[name], self._resource_json_map[name].get("Properties", {}), changed)}
    self.cfn_stages_cleanup_later = True
    try:
        _original_update(self, template, parameters)
    except Exception:
        # A failed update never reaches the cleanup: the removed resources stay in the stack,
        # so a later DeleteStack still deletes them.
        kept = {name: old_specs[name] for name in diff["Remove"] if name not in self._resource_json_map}
        self._resource_json_map = {**self._resource_json_map, **kept}
        raise
    finally:
        self.cfn_stages_cleanup_later = False
    cleanup_removed(self, diff["Remove"], old_specs)


def update_resource(logical_id: str, resource_json: dict[str, Any], resources_map: parsing.ResourceMap,
                    account_id: str, region_name: str) -> Any:
    """Replace a resource whose create-only properties change (moto's own types update in place
    whatever changed); keep one whose type moto cannot update (AWS would update it in place)."""
    from .base import Resource

    original = resources_map._parsed_resources.get(logical_id)
    if logical_id in getattr(resources_map, "cfn_stages_replace", ()) and not isinstance(original, Resource):
        if original is not None:
            resources_map._delete_resource(original, resource_json)
        return parsing.parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name)
    updated = _inner_update_resource(logical_id, resource_json, resources_map, account_id, region_name)
    return updated if updated is not None else original


def install() -> None:
    global _inner_update_resource
    parsing.ResourceMap.build_resource_diff = build_resource_diff
    parsing.ResourceMap.update = update
    ChangeSet.diff = change_set_diff
    _inner_update_resource = parsing.parse_and_update_resource  # may already be wrapped
    parsing.parse_and_update_resource = update_resource
