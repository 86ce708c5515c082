"""Template ``Rules``: AWS evaluates them on CreateStack, CreateChangeSet and UpdateStack, after the
parameters resolve (and pass their own constraints) and before any resource is touched. A rule
whose ``RuleCondition`` is false is skipped; an ``Assert`` that is false refuses the call with a
ValidationError whose message is the assertion's ``AssertDescription``. moto 5.2.1 ignores the
section, so a stack that AWS refuses (e.g. 32 with neither RepositoryName nor PublicImage) is
created.

The rule functions evaluated: ``Ref`` (parameters; ``AWS::Region``, ``AWS::AccountId``,
``AWS::Partition``, ``AWS::URLSuffix``), ``Fn::Equals``, ``Fn::Not``, ``Fn::And``, ``Fn::Or``,
``Fn::Contains``, ``Fn::EachMemberEquals``, ``Fn::EachMemberIn``. The functions that read the
account (``Fn::RefAll``, ``Fn::ValueOf``, ``Fn::ValueOfAll``) are not emulated: an assertion that
uses one is taken as true.
"""

from __future__ import annotations

from typing import Any, Callable

from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import CloudFormationBackend, Stack

from . import stacks

# The methods as stacks.install() left them, filled in by install().
_original: dict[str, Callable[..., Any]] = {}

_ACCOUNT_FUNCTIONS = {"Fn::RefAll", "Fn::ValueOf", "Fn::ValueOfAll"}


class _NotEmulated(Exception):
    """The rule needs the account (Fn::ValueOf...): not evaluated here."""


def _values(template: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """Each parameter's value as a rule sees it: given, else the default; lists as lists."""
    out: dict[str, Any] = {}
    for key, spec in (template.get("Parameters") or {}).items():
        value = given.get(key, spec.get("Default"))
        if value is None:
            continue
        kind = spec.get("Type", "String")
        if kind == "CommaDelimitedList" or kind.startswith("List<"):
            value = [v.strip() for v in value.split(",")] if isinstance(value, str) else [str(v) for v in value]
        else:
            value = ",".join(str(v) for v in value) if isinstance(value, list) else str(value)
        out[key] = value
    return out


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _evaluate(node: Any, values: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_evaluate(item, values) for item in node]
    if not isinstance(node, dict):
        return node
    if len(node) != 1:
        raise ValidationError(message="Template error: every rule function must be an object with one key")
    fn, arg = next(iter(node.items()))
    if fn == "Ref":
        if arg not in values:
            raise ValidationError(message=f"Template error: Unresolved parameter reference {arg} in Rules")
        return values[arg]
    if fn in _ACCOUNT_FUNCTIONS:
        raise _NotEmulated(fn)
    args = _evaluate(arg, values)
    if fn == "Fn::Equals":
        return _text(args[0]) == _text(args[1])
    if fn == "Fn::Not":
        return args[0] is not True
    if fn == "Fn::And":
        return all(a is True for a in args)
    if fn == "Fn::Or":
        return any(a is True for a in args)
    if fn == "Fn::Contains":
        return _text(args[1]) in _as_list(args[0])
    if fn == "Fn::EachMemberEquals":
        return all(v == _text(args[1]) for v in _as_list(args[0]))
    if fn == "Fn::EachMemberIn":
        allowed = _as_list(args[1])
        return all(v in allowed for v in _as_list(args[0]))
    raise ValidationError(message=f"Template error: {fn} is not a supported rule function")


def _text(value: Any) -> str:
    return ",".join(str(v) for v in value) if isinstance(value, list) else str(value)


def check_rules(template: dict[str, Any], given: dict[str, Any], pseudo: dict[str, str]) -> None:
    """Raises AWS's ValidationError for the first failed assertion of a rule that applies."""
    rules = template.get("Rules") or {}
    if not rules:
        return
    values = {**pseudo, **_values(template, given)}
    for name, rule in rules.items():
        try:
            if "RuleCondition" in rule and _evaluate(rule["RuleCondition"], values) is not True:
                continue
            for assertion in rule.get("Assertions") or []:
                if _evaluate(assertion.get("Assert"), values) is not True:
                    # AWS answers with the AssertDescription itself; an assertion without one is
                    # named by its rule (AWS does not document that wording).
                    raise ValidationError(message=assertion.get("AssertDescription")
                                          or f"Template error: assertion of rule {name} failed")
        except _NotEmulated:
            continue


def _pseudo(backend: CloudFormationBackend) -> dict[str, str]:
    region = backend.region_name
    partition = "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"
    return {"AWS::Region": region, "AWS::AccountId": backend.account_id, "AWS::Partition": partition,
            "AWS::URLSuffix": "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"}


def _checked(template_text: str, parameters: dict[str, Any], backend: CloudFormationBackend) -> None:
    template = Stack.parse_template(template_text)
    stacks.validate_parameters(template, parameters)  # AWS checks constraints before rules
    check_rules(template, parameters, _pseudo(backend))


def create_stack(self: CloudFormationBackend, name: str, template: str, parameters: dict[str, Any],
                 *args: Any, **kwargs: Any) -> Stack:
    _checked(template, parameters, self)
    return _original["create_stack"](self, name, template, parameters, *args, **kwargs)


def create_change_set(self: CloudFormationBackend, stack_name: str, change_set_name: str, template: str,
                      parameters: dict[str, str], *args: Any, **kwargs: Any) -> tuple[str, str]:
    _checked(template, parameters, self)
    return _original["create_change_set"](self, stack_name, change_set_name, template, parameters, *args, **kwargs)


def update_stack(self: CloudFormationBackend, name: str, template: str, role_arn: str | None,
                 parameters: list[dict[str, Any]], tags: dict[str, str] | None) -> Stack:
    stack = self.get_stack(name)
    _checked(template, self._resolve_update_parameters(instance=stack, incoming_params=parameters), self)
    return _original["update_stack"](self, name, template, role_arn, parameters, tags)


def install() -> None:
    """Wraps the backend methods stacks.install() set (call it after that)."""
    _original.update(create_stack=CloudFormationBackend.create_stack,
                     create_change_set=CloudFormationBackend.create_change_set,
                     update_stack=CloudFormationBackend.update_stack)
    CloudFormationBackend.create_stack = create_stack
    CloudFormationBackend.create_change_set = create_change_set
    CloudFormationBackend.update_stack = update_stack
