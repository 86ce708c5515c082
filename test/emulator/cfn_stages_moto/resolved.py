"""SSM-typed parameters in DescribeStacks (needed by test/e2e/noop.test.ts), and in change sets.

AWS: a parameter of type ``AWS::SSM::Parameter::Value<...>`` reads back as given, its
``ParameterValue`` being the SSM parameter's name, with the value it resolved to at the last
create or update in ``ResolvedValue``. That is what lets a deployer tell, without a change set,
whether the value behind the name has moved since (compare ``ResolvedValue`` with the SSM
parameter's current value).
moto 5.2.1: ``ParameterValue`` is the resolved value and there is no ``ResolvedValue``, so the
name the stack was given is lost.

AWS: a change set computes its changes with each SSM-typed parameter resolved anew, so the same
template and parameters make a change set with changes once the value behind a name has moved.
moto 5.2.1: marks an UPDATE change set FAILED ("didn't contain changes") whenever its template and
given parameter values equal the stack's, before looking at what it computed.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation.models import CloudFormationBackend, Stack

SSM_TYPE = "AWS::SSM::Parameter::Value"


def _given(stack: Stack, key: str, declared: dict[str, Any]) -> Any:
    given = stack.resource_map.input_parameters or {}
    return given[key] if key in given else declared.get("Default")


def _create_change_set(original: Any) -> Any:
    def create(self: CloudFormationBackend, *args: Any, **kwargs: Any) -> Any:
        change_set_id, stack_id = original(self, *args, **kwargs)
        change_set = self.change_sets.get(change_set_id)
        # Same template and values, yet changes computed: only a re-resolved SSM value does that.
        if change_set is not None and change_set.status == "FAILED" and change_set.changes:
            change_set.status, change_set.execution_status, change_set.status_reason = \
                "CREATE_COMPLETE", "AVAILABLE", None
        return change_set_id, stack_id
    return create


def install() -> None:
    """Wraps ``Stack.parameter_list`` (after stacks.py has replaced moto's) and
    ``create_change_set`` (after stacks.py's, before rules.py's)."""
    CloudFormationBackend.create_change_set = _create_change_set(CloudFormationBackend.create_change_set)
    listed = Stack.parameter_list

    def parameter_list(self: Stack) -> list[dict[str, Any]]:
        items = listed.fget(self)
        declared = self.template_dict.get("Parameters") or {}
        for item in items:
            spec = declared.get(item["ParameterKey"]) or {}
            if str(spec.get("Type", "")).startswith(SSM_TYPE):
                item["ResolvedValue"] = item["ParameterValue"]
                item["ParameterValue"] = _given(self, item["ParameterKey"], spec)
        return items

    Stack.parameter_list = property(parameter_list)
