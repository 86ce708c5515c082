"""ECS service tasks that stop with a reason, and the stack that waits for them.

AWS: an ECS service starts its tasks; a task whose image cannot be pulled stops with
``CannotPullContainerError`` (stopCode TaskFailedToStart), one whose essential container exits
stops with "Essential container in task exited" (stopCode EssentialContainerExited) and the
container's exit code. ECS keeps starting new tasks; the stopped ones stay listed (ListTasks
desiredStatus=STOPPED, DescribeTasks) with their reasons. Meanwhile CloudFormation keeps the
service resource, and so the stack, in CREATE_IN_PROGRESS / UPDATE_IN_PROGRESS until the
deployment circuit breaker trips (at least 3 failed tasks, in practice ten minutes or more), then
the service fails and the stack rolls back. CancelUpdateStack rolls an update back at once;
DeleteStack ends a creation.
moto 5.2.1: services run no tasks (ListTasks ignores serviceName), every stack completes at once,
and there is no CancelUpdateStack.

Here, only when the emulator runs with ``CFN_STAGES_EMULATOR_TASKS=run`` (other suites and the
demo deploy services whose images were never pushed, and expect moto's quiet success):
- a service whose task definition names an ECR image of this emulator that does not exist stops
  tasks with CannotPullContainerError; an ECR image whose manifest carries the annotations
  ``cfn-stages.emulator/exit-code`` (and optionally ``cfn-stages.emulator/reason``) stops them as
  a crash with that exit code and container reason: the documented way for a test to make tasks
  stop. Public images and other ECR images run (moto's behaviour);
- one task stops at once and another every ``CFN_STAGES_EMULATOR_TASK_SECONDS`` (default 5), each
  with a service event; the deployment's failedTasks counts them;
- the stack that created or updated such a service stays in progress until
  ``CFN_STAGES_EMULATOR_BREAKER_SECONDS`` (default 600) have passed, then the service fails
  ("ECS Deployment Circuit Breaker was triggered") and the stack rolls back;
- CancelUpdateStack (any stack in UPDATE_IN_PROGRESS; refused otherwise, as AWS does) and
  DeleteStack end the wait.
Time moves when a client looks (DescribeStacks, DescribeStackEvents, ECS reads): the emulator
works synchronously.
"""

from __future__ import annotations

import copy
import json
import os
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import CloudFormationBackend, Stack
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.moto_api._internal import mock_random

from . import stacks

ANNOTATION_EXIT = "cfn-stages.emulator/exit-code"
ANNOTATION_REASON = "cfn-stages.emulator/reason"
ECR_IMAGE = re.compile(r"^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com/([^:@]+)(?::([^@]+))?(?:@(.+))?$")
BREAKER_MESSAGE = ("Resource handler returned message: \"Error occurred during operation 'ECS Deployment Circuit "
                   "Breaker was triggered'.\" (HandlerErrorCode: GeneralServiceException)")

_lock = threading.RLock()
_touched = threading.local()


def enabled() -> bool:
    return os.environ.get("CFN_STAGES_EMULATOR_TASKS") == "run"


def _seconds(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass
class Failure:
    stopped_reason: str
    stop_code: str
    container_reason: str | None = None
    exit_code: int | None = None


@dataclass
class Rollout:
    """A service deployment whose tasks keep stopping."""
    backend: Any
    service: Any
    failure: Failure
    started: float
    deployment_id: str
    previous_task_definition: str | None
    made: int = 0


@dataclass
class Hold:
    """A stack kept in progress by failing services until the circuit breaker trips."""
    backend: CloudFormationBackend
    stack: Stack
    creating: bool
    before: dict[str, Any]
    services: dict[str, str]  # service ARN -> logical id
    breaker_at: float
    extra: dict[str, Any] = field(default_factory=dict)


ROLLOUTS: dict[str, Rollout] = {}
HOLDS: dict[str, Hold] = {}


# --- what a task does -------------------------------------------------------------------------

def failure_of(task_definition: Any) -> Failure | None:
    """Why the task definition's tasks stop, judged from its essential containers' images."""
    for container in task_definition.container_definitions or []:
        image = container.get("image") or container.get("Image") or ""
        match = ECR_IMAGE.match(image)
        if not match or container.get("essential", container.get("Essential", True)) is False:
            continue
        account, region, repository, tag, digest = match.groups()
        manifest = _ecr_manifest(account, region, repository, tag, digest)
        if manifest is None:
            reason = (f"CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve "
                      f"ref {image}: {image}: not found")
            return Failure(reason, "TaskFailedToStart", container_reason=reason)
        annotations = manifest.get("annotations") or {}
        if ANNOTATION_EXIT in annotations:
            return Failure("Essential container in task exited", "EssentialContainerExited",
                           container_reason=annotations.get(ANNOTATION_REASON), exit_code=int(annotations[ANNOTATION_EXIT]))
    return None


def _ecr_manifest(account: str, region: str, repository: str, tag: str | None, digest: str | None) -> dict[str, Any] | None:
    from moto.ecr.models import ecr_backends

    repo = ecr_backends[account][region].repositories.get(repository)
    if repo is None:
        return None
    try:
        image = repo._get_image(tag or ("latest" if not digest else None), digest)
    except Exception:
        return None
    try:
        return json.loads(image.image_manifest or "{}")
    except ValueError:
        return {}


# --- ECS: services whose tasks stop -----------------------------------------------------------

def _start(backend: Any, service: Any, previous: str | None) -> None:
    ROLLOUTS.pop(service.arn, None)
    if not enabled() or not service.task_definition or not service.deployments:
        return
    failure = failure_of(backend.describe_task_definition(service.task_definition))
    if failure is None:
        return
    deployment = service.deployments[0]
    deployment.update({"rolloutState": "IN_PROGRESS", "runningCount": 0, "failedTasks": 0,
                       "pendingCount": service.desired_count,
                       "rolloutStateReason": f"ECS deployment {deployment['id']} in progress."})
    service.running_count = 0
    service.pending_count = service.desired_count
    ROLLOUTS[service.arn] = Rollout(backend, service, failure, time.time(), deployment["id"], previous)
    touched = getattr(_touched, "arns", None)
    if touched is not None:
        touched.append(service.arn)


def _stop_one(rollout: Rollout) -> None:
    """One more task of the deployment starts and stops with the rollout's reason."""
    from moto.ecs.models import Task

    backend, service, failure = rollout.backend, rollout.service, rollout.failure
    cluster = backend._get_cluster(service.cluster_name)
    definition = copy.copy(backend.describe_task_definition(service.task_definition))
    definition.network_mode = "bridge"  # no network interface: it would outlive the task in moto
    task = Task(cluster, definition, None, None, backend, group=f"service:{service.name}",
                launch_type=service.launch_type or "FARGATE", started_by=rollout.deployment_id)
    task.last_status = "STOPPED"
    task.desired_status = "STOPPED"
    task.stopped_reason = failure.stopped_reason
    task.stop_code = failure.stop_code
    task.stopped_at = utcnow()
    task.containers[0].last_status = "STOPPED"
    task.containers[0].reason = failure.container_reason
    task.containers[0].exitCode = failure.exit_code
    backend.tasks.setdefault(cluster.name, {})[task.task_arn] = task
    rollout.made += 1
    deployment = service.deployments[0]
    deployment["failedTasks"] = rollout.made
    _service_event(service, f"(service {service.name}) has started 1 tasks: (task {task.id}).")


def _service_event(service: Any, message: str) -> None:
    service.events.insert(0, {"id": str(mock_random.uuid4()), "createdAt": utcnow(), "message": message})


def _create_service(original: Any) -> Any:
    def create_service(self: Any, *args: Any, **kwargs: Any) -> Any:
        service = original(self, *args, **kwargs)
        _start(self, service, None)
        return service
    return create_service


def _update_service(original: Any) -> Any:
    def update_service(self: Any, service_properties: dict[str, Any]) -> Any:
        name = str(service_properties.get("service", "")).split("/")[-1]
        previous = self._get_service(service_properties.get("cluster", "default"), name).task_definition
        service = original(self, service_properties)
        if service.task_definition != previous:
            _start(self, service, previous)
        return service
    return update_service


def _list_tasks(original: Any) -> Any:
    """AWS: ListTasks serviceName lists that service's tasks (their group is service:NAME).
    moto: ignores serviceName."""
    def list_tasks(self: Any, cluster_str: Any = None, container_instance: Any = None, family: Any = None,
                   started_by: Any = None, service_name: Any = None, desiredStatus: Any = None) -> Any:
        tick()
        found = original(self, cluster_str, container_instance, family, started_by, None, desiredStatus)
        if service_name:
            group = f"service:{str(service_name).split('/')[-1]}"
            found = [t for t in found if getattr(t, "group", None) == group]
        return found
    return list_tasks


def _ticking(original: Any) -> Any:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        tick()
        return original(self, *args, **kwargs)
    return method


# --- CloudFormation: the stack waits ----------------------------------------------------------

def execute_change_set(original: Any) -> Any:
    def execute(self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None) -> None:
        change_set = stacks.find_change_set(self, change_set_name, stack_name)
        stack = self.stacks[change_set.stack_id]
        creating = change_set.change_set_type == "CREATE"
        before = stacks._stack_view(stack)
        before["resolved_parameters"] = dict(stack.resource_map.resolved_parameters)
        mark = len(stack.events)
        _touched.arns = []
        try:
            original(self, change_set_name, stack_name)
            touched = list(_touched.arns)
        finally:
            _touched.arns = None
        if touched and stack.status in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
            _hold(self, stack, creating, before, touched, mark)
    return execute


def _hold(backend: CloudFormationBackend, stack: Stack, creating: bool, before: dict[str, Any],
          arns: list[str], mark: int) -> None:
    """The change ran, but the services it touched never stabilise: the stack stays in progress, the
    services' resources show only their *_IN_PROGRESS event."""
    services: dict[str, str] = {}
    for event in stack.events[mark:]:
        if event.physical_resource_id in arns and event.resource_type == "AWS::ECS::Service":
            services[event.physical_resource_id] = event.logical_resource_id
    done = {f"{'CREATE' if creating else 'UPDATE'}_COMPLETE", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"}
    held = set(services.values()) | {stack.name}
    stack.events[mark:] = [e for e in stack.events[mark:]
                           if not (e.resource_status in done and e.logical_resource_id in held)]
    stack.status = "CREATE_IN_PROGRESS" if creating else "UPDATE_IN_PROGRESS"
    HOLDS[stack.stack_id] = Hold(backend, stack, creating, before, services,
                                 time.time() + _seconds("CFN_STAGES_EMULATOR_BREAKER_SECONDS", 600))


def tick() -> None:
    """Moves the failing rollouts and held stacks on to now."""
    with _lock:
        now = time.time()
        every = max(0.1, _seconds("CFN_STAGES_EMULATOR_TASK_SECONDS", 5))
        for rollout in list(ROLLOUTS.values()):
            due = min(1 + int((now - rollout.started) / every), 200)
            while rollout.made < due:
                _stop_one(rollout)
        for hold in list(HOLDS.values()):
            if now >= hold.breaker_at:
                _trip(hold)


def _restore(hold: Hold) -> None:
    """The stack as it was before the update (DescribeStacks: template, parameters, outputs)."""
    view = dict(hold.before)
    parameters = view.pop("resolved_parameters")
    hold.stack.__dict__.update(view)
    hold.stack.resource_map.resolved_parameters.clear()
    hold.stack.resource_map.resolved_parameters.update(parameters)


def _release(hold: Hold, revert: bool) -> None:
    HOLDS.pop(hold.stack.stack_id, None)
    for arn in hold.services:
        rollout = ROLLOUTS.pop(arn, None)
        if revert and rollout and rollout.previous_task_definition:
            rollout.service.task_definition = rollout.previous_task_definition
            rollout.service.deployments[0]["taskDefinition"] = rollout.previous_task_definition
            rollout.service.deployments[0]["rolloutState"] = "COMPLETED"


def _trip(hold: Hold) -> None:
    """The circuit breaker: the service fails, the stack rolls back."""
    arn, logical_id = next(iter(hold.services.items()), ("", hold.stack.name))
    rollout = ROLLOUTS.get(arn)
    if rollout:
        rollout.service.deployments[0]["rolloutState"] = "FAILED"
        _service_event(rollout.service, f"(service {rollout.service.name}) deployment {rollout.deployment_id} "
                                         "deployment failed: tasks failed to start.")
    _release(hold, revert=not hold.creating)
    error = Exception(BREAKER_MESSAGE)
    error.cfn_stages_resource = (logical_id, "AWS::ECS::Service")  # type: ignore[attr-defined]
    if not hold.creating:
        _restore(hold)
    stacks._fail(hold.stack, hold.creating, error)


def cancel_update_stack(self: CloudFormationResponse) -> ActionResult:
    """AWS CancelUpdateStack: only in UPDATE_IN_PROGRESS; the update rolls back. moto 5.2.1: no such
    action."""
    stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
    with _lock:
        if stack.status != "UPDATE_IN_PROGRESS":
            raise ValidationError(message=f"CancelUpdateStack cannot be called from current stack status: {stack.status}")
        hold = HOLDS.get(stack.stack_id)
        if hold:
            for arn, logical_id in hold.services.items():
                stacks._event(stack, logical_id, arn, "AWS::ECS::Service", "UPDATE_FAILED", "Resource update cancelled")
            _release(hold, revert=True)
            _restore(hold)
        stack._add_stack_event("UPDATE_ROLLBACK_IN_PROGRESS", "Stack update cancelled")
        stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE")
        stack.status = "UPDATE_ROLLBACK_COMPLETE"
    return ActionResult({})


def delete_stack(original: Any) -> Any:
    """AWS: DeleteStack of a stack still being created stops the creation and deletes it."""
    def delete(self: CloudFormationBackend, name_or_stack_id: str) -> None:
        with _lock:
            for hold in list(HOLDS.values()):
                if name_or_stack_id in (hold.stack.stack_id, hold.stack.name):
                    _release(hold, revert=False)
            return original(self, name_or_stack_id)
    return delete


def install() -> None:
    from moto.ecs.models import EC2ContainerServiceBackend

    ecs = EC2ContainerServiceBackend
    ecs.create_service = _create_service(ecs.create_service)
    ecs.update_service = _update_service(ecs.update_service)
    ecs.list_tasks = _list_tasks(ecs.list_tasks)
    ecs.describe_tasks = _ticking(ecs.describe_tasks)
    ecs.describe_services = _ticking(ecs.describe_services)
    cfn = CloudFormationBackend
    cfn.execute_change_set = execute_change_set(cfn.execute_change_set)
    cfn.delete_stack = delete_stack(cfn.delete_stack)
    cfn.describe_stacks = _ticking(cfn.describe_stacks)
    cfn.describe_stack_events = _ticking(cfn.describe_stack_events)
    CloudFormationResponse.cancel_update_stack = cancel_update_stack
