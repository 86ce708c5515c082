"""Restoring an ElastiCache replication group from a snapshot: what re-creating a cache after a
destroy needs (test/e2e/lifecycle.test.ts, test/emulator/cache-restore.test.ts; README "Lifecycle").

AWS: an AWS::ElastiCache::ReplicationGroup with ``SnapshotName`` is created from that snapshot,
which must exist (SnapshotNotFoundFault otherwise, and the resource fails). moto 5.2.1 has no
ElastiCache type in CloudFormation (see elasticache.py), and its CreateReplicationGroup takes any
name without looking. Here the snapshot is checked, then the group is created as usual (the
emulator holds no data to bring back), and what it was restored from is noted for the tests in
the SSM parameter ``RESTORED_PREFIX + <replication group id>`` (test control, not AWS: AWS shows
no source on a replication group).
"""

from __future__ import annotations

from typing import Any

#: ``/cfn-stages-emulator/restored/<replication group id>`` = the snapshot it was created from.
RESTORED_PREFIX = "/cfn-stages-emulator/restored/"


def _restoring(original: Any) -> Any:
    def create(cls: Any, name: str, props: dict[str, Any], account_id: str, region_name: str, logical_id: str) -> Any:
        snapshot = props.get("SnapshotName")
        if snapshot:
            from moto.elasticache.exceptions import SnapshotNotFound
            from moto.elasticache.models import elasticache_backends

            if str(snapshot) not in elasticache_backends[account_id][region_name].snapshots:
                raise SnapshotNotFound(str(snapshot))
        group = original.__func__(cls, name, props, account_id, region_name, logical_id)
        if snapshot:
            _note(account_id, region_name, group.physical_resource_id, str(snapshot))
        return group
    return classmethod(create)


def _note(account_id: str, region_name: str, group_id: str, snapshot: str) -> None:
    from moto.ssm.models import ssm_backends

    ssm_backends[account_id][region_name].put_parameter(
        name=f"{RESTORED_PREFIX}{group_id}", description="Snapshot this replication group was created from",
        value=snapshot, parameter_type="String", allowed_pattern="", keyid="", overwrite=True, tags=[],
        data_type="text", tier=None, policies=None)


def install() -> None:
    from . import elasticache

    elasticache.ReplicationGroup.create = _restoring(elasticache.ReplicationGroup.create)
