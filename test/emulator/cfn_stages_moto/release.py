"""Security groups that AWS cannot delete for a while after their users go.

AWS: a load balancer's and an awsvpc ECS service's tasks' network interfaces are released
asynchronously, minutes after the load balancer or service is deleted; until then deleting a
security group they used fails with DependencyViolation ("resource sg-1 has a dependent
object"), so CloudFormation reports DELETE_FAILED and a DeleteStack retried later succeeds.
moto 5.2.1: creates no such interfaces, so the delete always succeeds at once.

Here: deleting an ``AWS::ElasticLoadBalancingV2::LoadBalancer`` or an ``AWS::ECS::Service``
through CloudFormation marks the security groups it used as held for
``CFN_STAGES_EMULATOR_RELEASE_SECONDS`` seconds (read from the server's environment; 0 or unset:
off, as every other test wants); DeleteSecurityGroup of a held group is refused the way EC2
refuses it. Needed by test/e2e/engine.test.ts (destroy of the network after the services).
"""

from __future__ import annotations

import os
import time
from typing import Any, Iterable

from moto.ec2.exceptions import DependencyViolationError
from moto.ec2.models import EC2Backend

from . import teardown

#: security group id -> time (monotonic) until which AWS would still be releasing its interfaces
_held: dict[str, float] = {}
_original_delete_security_group = EC2Backend.delete_security_group


def _seconds() -> float:
    try:
        return float(os.environ.get("CFN_STAGES_EMULATOR_RELEASE_SECONDS", "0") or 0)
    except ValueError:
        return 0.0


def hold(group_ids: Iterable[str]) -> None:
    """Marks the groups as still in use by interfaces being released."""
    seconds = _seconds()
    if seconds <= 0:
        return
    until = time.monotonic() + seconds
    for group_id in group_ids:
        if group_id:
            _held[group_id] = until


def _service_groups(service: Any) -> list[str]:
    config = getattr(service, "network_configuration", None) or {}
    awsvpc = config.get("awsvpcConfiguration") or config.get("AwsvpcConfiguration") or {}
    return list(awsvpc.get("securityGroups") or awsvpc.get("SecurityGroups") or [])


def _delete_service(original: Any) -> Any:
    def deleter(service: Any, account_id: str, region_name: str) -> None:
        groups = _service_groups(service) if getattr(service, "status", "") == "ACTIVE" else []
        original(service, account_id, region_name)
        hold(groups)
    return deleter


def _delete_load_balancer(balancer: Any, account_id: str, region_name: str) -> None:
    from moto.elbv2.models import elbv2_backends

    backend = elbv2_backends[account_id][region_name]
    groups = list(getattr(balancer, "security_groups", None) or [])
    if balancer.arn in backend.load_balancers:
        backend.delete_load_balancer(balancer.arn)
        hold(groups)


def delete_security_group(self: EC2Backend, name: str | None = None, group_id: str | None = None) -> None:
    """AWS DeleteSecurityGroup: DependencyViolation while interfaces that used it are released."""
    if group_id and _held.get(group_id, 0) > time.monotonic():
        raise DependencyViolationError(f"resource {group_id} has a dependent object")
    _held.pop(group_id or "", None)
    return _original_delete_security_group(self, name=name, group_id=group_id)


def install() -> None:
    teardown.DELETERS["AWS::ECS::Service"] = _delete_service(teardown.DELETERS["AWS::ECS::Service"])
    teardown.DELETERS["AWS::ElasticLoadBalancingV2::LoadBalancer"] = _delete_load_balancer
    EC2Backend.delete_security_group = delete_security_group
