"""Fixes to CloudFormation types moto 5.2.1 does have (each function says what it fixes).

- AWS::KMS::Key. AWS: Tags are [{Key, Value}] like every other type, and KeyPolicy is a JSON
  object that GetKeyPolicy returns as a JSON string. moto: hands the tags to a tagger that expects
  KMS's API form [{TagKey, TagValue}] (KeyError: the stack fails) and keeps the policy as a dict.
  Here: both are converted before moto's own code runs.
"""

from __future__ import annotations

import json
from typing import Any

from moto.ec2.models.instances import Instance
from moto.elbv2.models import FakeLoadBalancer, FakeTargetGroup
from moto.kms.models import Key

_original_key_create = Key.create_from_cloudformation_json
_original_instance_create = Instance.create_from_cloudformation_json
_original_lb_attribute = FakeLoadBalancer.get_cfn_attribute


def _kms_key(cls: Any, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
             region_name: str, **kwargs: Any) -> Any:
    props = dict(cloudformation_json.get("Properties") or {})
    props["Tags"] = [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in props.get("Tags") or []]
    if isinstance(props.get("KeyPolicy"), dict):
        props["KeyPolicy"] = json.dumps(props["KeyPolicy"])
    fixed = dict(cloudformation_json, Properties=props)
    return _original_key_create.__func__(cls, resource_name, fixed, account_id, region_name, **kwargs)


def _rds_subnet_group_ref(self: Any) -> str:
    return self.name


def _live_resources(self: Any) -> list[Any]:
    # Only what was created: iterating the lazy resource map would create the rest on the spot
    # (even for a stack that failed and rolled back).
    resource_map = self.resource_map
    return [resource_map._parsed_resources[key] for key in resource_map._resource_json_map
            if resource_map._parsed_resources.get(key) is not None]


def _instance(cls: Any, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
              region_name: str, **kwargs: Any) -> Any:
    """AWS::EC2::Instance. AWS: an instance may take ImageId, InstanceType, UserData and
    IamInstanceProfile from its LaunchTemplate, and SecurityGroupIds by id. moto: requires ImageId
    in the resource (KeyError) and reads SecurityGroups as ids. Here: the launch template version's
    values fill what the resource leaves out, and SecurityGroupIds are passed as groups."""
    from moto.ec2.models import ec2_backends

    props = dict(cloudformation_json.get("Properties") or {})
    ec2 = ec2_backends[account_id][region_name]
    template_ref = props.get("LaunchTemplate")
    if template_ref:
        template = (ec2.get_launch_template(template_ref["LaunchTemplateId"]) if template_ref.get("LaunchTemplateId")
                    else ec2.get_launch_template_by_name(template_ref["LaunchTemplateName"]))
        data = template.get_version(template_ref.get("Version", "$Default")).data
        for key in ("ImageId", "InstanceType", "UserData", "KeyName"):
            if key not in props and data.get(key):
                props[key] = data[key]
        profile = data.get("IamInstanceProfile") or {}
        if "IamInstanceProfile" not in props and profile:
            props["IamInstanceProfile"] = profile.get("Name") or profile.get("Arn", "").split("/")[-1]
    if props.get("SecurityGroupIds") and not props.get("SecurityGroups"):
        props["SecurityGroups"] = props["SecurityGroupIds"]
    fixed = dict(cloudformation_json, Properties=props)
    return _original_instance_create.__func__(cls, resource_name, fixed, account_id, region_name, **kwargs)


#: us-east-1's hosted zone for Application Load Balancers (what CanonicalHostedZoneID returns there).
_ALB_HOSTED_ZONE = "Z35SXDOTRQ7X7K"


def _load_balancer_attribute(self: Any, attribute_name: str) -> Any:
    """AWS::ElasticLoadBalancingV2::LoadBalancer. AWS: GetAtt LoadBalancerFullName is
    "app/NAME/ID" (the ARN after "loadbalancer/", what CloudWatch metrics take),
    CanonicalHostedZoneID the region's ELB zone, SecurityGroups the group ids. moto: declares these
    but raises NotImplementedError, so the output or property is dropped."""
    if attribute_name == "LoadBalancerFullName":
        return self.arn.split(":loadbalancer/", 1)[1]
    if attribute_name == "CanonicalHostedZoneID":
        return _ALB_HOSTED_ZONE
    if attribute_name == "SecurityGroups":
        return list(self.security_groups)
    return _original_lb_attribute(self, attribute_name)


def _target_group_attribute(self: Any, attribute_name: str) -> Any:
    """AWS::ElasticLoadBalancingV2::TargetGroup. AWS: GetAtt TargetGroupFullName
    ("targetgroup/NAME/ID"), TargetGroupName, TargetGroupArn, LoadBalancerArns. moto: has no
    GetAtt for target groups at all."""
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

    values = {"TargetGroupFullName": lambda: self.arn.split(":", 5)[5],
              "TargetGroupName": lambda: self.name, "TargetGroupArn": lambda: self.arn,
              "LoadBalancerArns": lambda: list(self.load_balancer_arns)}
    if attribute_name in values:
        return values[attribute_name]()
    raise UnformattedGetAttTemplateException()


def install() -> None:
    """- AWS::KMS::Key: see the module docstring.
    - AWS::RDS::DBSubnetGroup. AWS: Ref is the group's name. moto: the model has no
      physical_resource_id, so Ref yields the Python object's repr.
    - Stack resources. AWS: a resource whose Condition is false does not exist and is not listed.
      moto: lists it with empty ids (List/DescribeStackResources), and listing a stack whose
      creation failed creates its missing resources on the spot."""
    from moto.cloudformation.models import Stack
    from moto.rds.models import DBSubnetGroup

    DBSubnetGroup.physical_resource_id = property(_rds_subnet_group_ref)
    Stack.stack_resources = property(_live_resources)
    Key.create_from_cloudformation_json = classmethod(_kms_key)
    Instance.create_from_cloudformation_json = classmethod(_instance)
    FakeLoadBalancer.get_cfn_attribute = _load_balancer_attribute
    FakeTargetGroup.get_cfn_attribute = _target_group_attribute
    FakeTargetGroup.has_cfn_attr = classmethod(
        lambda cls, attr: attr in ("TargetGroupFullName", "TargetGroupName", "TargetGroupArn", "LoadBalancerArns"))
