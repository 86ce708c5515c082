"""AWS::ApplicationAutoScaling::ScalableTarget and AWS::ApplicationAutoScaling::ScalingPolicy.

AWS: a ScalableTarget's Ref (and GetAtt Id) is "resource-id|scalable-dimension|service-namespace",
e.g. "service/cluster/app|ecs:service:DesiredCount|ecs"; a ScalingPolicy names its target with that
value in ScalingTargetId (or with ResourceId, ScalableDimension and ServiceNamespace), and its Ref
(and GetAtt Arn) is the policy ARN.
moto 5.2.1: neither type exists in CloudFormation (skipped silently).
Here: both are backed by moto's applicationautoscaling backend (register_scalable_target,
put_scaling_policy), which also checks that an ECS service target exists, as AWS does.
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel

from .base import Resource, number, typed


def _backend(account_id: str, region_name: str) -> Any:
    from moto.applicationautoscaling.models import applicationautoscaling_backends

    return applicationautoscaling_backends[account_id][region_name]


@typed("AWS::ApplicationAutoScaling::ScalableTarget")
class ScalableTarget(Resource, CloudFormationModel):
    ATTRIBUTES = ("Id",)

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "ScalableTarget":
        backend = _backend(account_id, region_name)
        namespace, resource_id = props["ServiceNamespace"], props["ResourceId"]
        dimension = props["ScalableDimension"]
        target = backend.register_scalable_target(
            namespace, resource_id, dimension, number(props.get("MinCapacity")),
            number(props.get("MaxCapacity")), props.get("RoleARN"), props.get("SuspendedState"))
        ref = f"{resource_id}|{dimension}|{namespace}"
        return cls(ref, {"Id": ref},
                   lambda: backend.deregister_scalable_target(namespace, resource_id, dimension), target)

    def modify(self, props: dict[str, Any], account_id: str, region_name: str) -> None:
        self.backing.update(number(props.get("MinCapacity")), number(props.get("MaxCapacity")),
                            props.get("SuspendedState"))


@typed("AWS::ApplicationAutoScaling::ScalingPolicy")
class ScalingPolicy(Resource, CloudFormationModel):
    ATTRIBUTES = ("Arn",)

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "ScalingPolicy":
        backend = _backend(account_id, region_name)
        if props.get("ScalingTargetId"):
            resource_id, dimension, namespace = props["ScalingTargetId"].split("|")
        else:
            resource_id = props["ResourceId"]
            dimension, namespace = props["ScalableDimension"], props["ServiceNamespace"]
        policy_type = props["PolicyType"]
        body = props.get("TargetTrackingScalingPolicyConfiguration") \
            if policy_type == "TargetTrackingScaling" else props.get("StepScalingPolicyConfiguration")
        policy_name = props["PolicyName"]
        policy = backend.put_scaling_policy(policy_name, namespace, resource_id, dimension, body, policy_type)
        return cls(policy.policy_arn, {"Arn": policy.policy_arn},
                   lambda: backend.delete_scaling_policy(policy_name, namespace, resource_id, dimension),
                   policy)

    def modify(self, props: dict[str, Any], account_id: str, region_name: str) -> None:
        # PutScalingPolicy again with the same name replaces the configuration (the ARN changes
        # in moto; AWS keeps it, so the original ARN stays this resource's Ref).
        self.backing = ScalingPolicy.create("", props, account_id, region_name, "").backing
