"""Shared plumbing for the CloudFormation resource types this extension adds to moto.

moto builds its table of CloudFormation types from ``CloudFormationModel.__subclasses__()``
(moto 5.2.1, ``moto/cloudformation/parsing.py``): only DIRECT subclasses count. So every type here
is declared as ``class X(Resource, CloudFormationModel)``: ``Resource`` is a plain mixin holding
the common behaviour, and ``CloudFormationModel`` stays a direct base.

A ``Resource`` instance is what moto keeps in the stack's resource map: its ``physical_resource_id``
is what ``Ref`` returns and ``get_cfn_attribute`` answers ``Fn::GetAtt``. Both must return what AWS
returns (see each type's "Return values" in the CloudFormation resource reference), because
outputs and exports are built from them.
"""

from __future__ import annotations

from typing import Any, Callable

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException


class Resource:
    """Mixin: a created resource with a Ref value, GetAtt values and a way to delete it."""

    #: The CloudFormation type name, e.g. ``AWS::SecretsManager::Secret``.
    TYPE = ""
    #: The property that names the resource (moto generates a name when it is absent), or "".
    NAME_PROPERTY = ""
    #: The ``Fn::GetAtt`` attribute names AWS documents for the type.
    ATTRIBUTES: tuple[str, ...] = ()

    def __init__(self, ref: str, attributes: dict[str, Any] | None = None,
                 on_delete: Callable[[], None] | None = None, backing: Any = None):
        self.ref = ref
        self.attributes = attributes or {}
        self.on_delete = on_delete
        #: The moto backend object this resource stands for, when there is one.
        self.backing = backing

    # --- what moto's CloudFormation engine calls -------------------------------------------

    @staticmethod
    def cloudformation_name_type() -> str:  # overridden per type through NAME_PROPERTY
        return ""

    @property
    def physical_resource_id(self) -> str:
        return self.ref

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name in self.attributes:
            value = self.attributes[attribute_name]
            return value() if callable(value) else value
        raise UnformattedGetAttTemplateException()

    def is_created(self) -> bool:
        return True

    def delete(self, account_id: str, region_name: str) -> None:
        if self.on_delete:
            self.on_delete()

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> Any:
        props = cloudformation_json.get("Properties") or {}
        resource = cls.create(resource_name, props, account_id, region_name, kwargs.get("LogicalId", ""))
        resource.name_for_update, resource.props = resource_name, props
        return resource

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> Any:
        # AWS: a change to a create-only property replaces the resource (a generated physical
        # name stays generated); any other change updates it in place, keeping its physical id.
        from .schemas import create_only_properties

        props = cloudformation_json.get("Properties") or {}
        if original_resource is not None:
            old = getattr(original_resource, "props", {})
            if not any(old.get(p) != props.get(p) for p in create_only_properties(cls.TYPE)):
                original_resource.modify(props, account_id, region_name)
                original_resource.props = props
                return original_resource
            original_resource.delete(account_id, region_name)
        name = (props.get(cls.NAME_PROPERTY) if cls.NAME_PROPERTY else None) or new_resource_name
        resource = cls.create(name, props, account_id, region_name, "")
        resource.name_for_update, resource.props = name, props
        return resource

    def modify(self, props: dict[str, Any], account_id: str, region_name: str) -> None:
        """Apply an in-place update. The emulated types keep their backing object as it is unless
        they override this (the new properties are recorded either way)."""

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        return None

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "Resource":
        raise NotImplementedError(cls.TYPE)


def typed(cloudformation_type: str, name_property: str = "") -> Callable[[type], type]:
    """Class decorator: set the type name and the name property as the static methods moto calls."""

    def apply(cls: type) -> type:
        cls.TYPE = cloudformation_type
        cls.NAME_PROPERTY = name_property
        cls.cloudformation_type = staticmethod(lambda: cloudformation_type)
        cls.cloudformation_name_type = staticmethod(lambda: name_property)
        return cls

    return apply


def tag_list(props: dict[str, Any]) -> list[dict[str, str]]:
    """Tags in the list form ([{Key, Value}]) whichever form the template used."""
    tags = props.get("Tags") or []
    if isinstance(tags, dict):
        return [{"Key": k, "Value": str(v)} for k, v in tags.items()]
    return [{"Key": t["Key"], "Value": str(t["Value"])} for t in tags]


def tag_map(props: dict[str, Any]) -> dict[str, str]:
    """Tags in the map form ({Key: Value}) whichever form the template used."""
    return {t["Key"]: t["Value"] for t in tag_list(props)}


def flag(value: Any, default: bool = False) -> bool:
    """A CloudFormation boolean: templates may carry true/"true"/"True"."""
    if value is None:
        return default
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def number(value: Any, default: int | None = None) -> int | None:
    """A CloudFormation integer: templates may carry 5 or "5"."""
    return default if value is None or value == "" else int(value)
