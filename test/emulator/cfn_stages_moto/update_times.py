"""A stack's LastUpdatedTime after every update, failed ones included. See the "Update times"
table in ../README.md; test/e2e/no-op-records.test.ts needs it (a stack whose update from outside
rolled back is read afresh: the record of what this machine deployed is keyed by StackId and
LastUpdatedTime).

AWS sets LastUpdatedTime when an update starts (UpdateStack, or ExecuteChangeSet of an UPDATE
change set), and DescribeStacks keeps showing it whether the update completes or rolls back.
moto 5.2.1 never sets it; lifecycle.py sets it for a completed update only.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation.models import CloudFormationBackend
from moto.core.utils import utcnow

_original: dict[str, Any] = {}

#: The statuses an update leaves a stack in (UPDATE_IN_PROGRESS while a task-watching update runs).
_UPDATED = ("UPDATE_IN_PROGRESS", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED")


def update_stack(self: CloudFormationBackend, *args: Any, **kwargs: Any) -> Any:
    started = utcnow()
    stack = _original["update_stack"](self, *args, **kwargs)
    if stack.status in _UPDATED:
        stack.last_updated_time = started
    return stack


def execute_change_set(self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None) -> None:
    from .stacks import find_change_set

    change_set = find_change_set(self, change_set_name, stack_name)
    stack = self.stacks.get(change_set.stack_id)
    started = utcnow()
    _original["execute_change_set"](self, change_set_name, stack_name)
    if change_set.change_set_type == "UPDATE" and stack is not None and stack.status in _UPDATED:
        stack.last_updated_time = started


def install() -> None:
    """After lifecycle.py: wraps what it installed."""
    _original.update(update_stack=CloudFormationBackend.update_stack,
                     execute_change_set=CloudFormationBackend.execute_change_set)
    CloudFormationBackend.update_stack = update_stack
    CloudFormationBackend.execute_change_set = execute_change_set
