"""SSM-typed parameters in DescribeStacks (needed by test/e2e/noop.test.ts).

AWS: a parameter of type ``AWS::SSM::Parameter::Value<...>`` reads back as given, its
``ParameterValue`` being the SSM parameter's name, with the value it resolved to at the last
create or update in ``ResolvedValue``. That is what lets a deployer tell, without a change set,
whether the value behind the name has moved since (compare ``ResolvedValue`` with the SSM
parameter's current value).
moto 5.2.1: ``ParameterValue`` is the resolved value and there is no ``ResolvedValue``, so the
name the stack was given is lost.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation.models import Stack

SSM_TYPE = "AWS::SSM::Parameter::Value"


def _given(stack: Stack, key: str, declared: dict[str, Any]) -> Any:
    given = stack.resource_map.input_parameters or {}
    return given[key] if key in given else declared.get("Default")


def install() -> None:
    """Wraps ``Stack.parameter_list`` (after stacks.py has replaced moto's)."""
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
