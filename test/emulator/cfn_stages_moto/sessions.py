"""Sessions into running things: ECS ExecuteCommand and SSM StartSession / TerminateSession, and
the ECS task fields ECS Exec reads. Needed by test/e2e/operate-access.test.ts (`provision exec`,
`provision tunnel`), which check every call up to the Session Manager plugin.

ECS. AWS: RunTask (and a service's scheduler) records `enableExecuteCommand`; DescribeTasks shows
it, each container's `runtimeId`, and, when exec is on, the container's `ExecuteCommandAgent`
managed agent (ListTasks' `serviceName` filter, which `provision exec` also uses, is in tasks.py).
ExecuteCommand answers a session (sessionId, streamUrl, tokenValue) for a
RUNNING task whose exec agent runs, and refuses otherwise with InvalidParameterException ("The
execute command failed because execute command was not enabled when the task was run or the
execute command agent isn't running..."); an unknown task is InvalidParameterException too.
moto 5.2.1: no ExecuteCommand; `enableExecuteCommand` ignored; no runtimeId or managed agents. An AWS::ECS::Service made by
CloudFormation keeps neither its EnableExecuteCommand nor its NetworkConfiguration (DescribeServices
shows false / none). RunTask fails (500) for a task definition whose memory is set for the task
only, as Fargate task definitions may be (AWS: container-level memory is optional then).

SSM. AWS: StartSession on a managed instance with a Session document (e.g.
`AWS-StartPortForwardingSessionToRemoteHost`, parameters host, portNumber, localPortNumber) answers
SessionId, TokenValue and a `wss://ssmmessages.REGION.amazonaws.com/v1/data-channel/ID` StreamUrl;
a target that is not a running instance is TargetNotConnected ("i-... is not connected."); an
unknown document or parameter is InvalidDocument / InvalidParameters. TerminateSession ends it.
moto 5.2.1: neither action; none of AWS's session documents.
Here: the sessions are records only (nothing listens on the stream URL); the AWS session documents
below are the ones the CLI uses, with their parameters.
"""

from __future__ import annotations

import secrets
from typing import Any

from moto.core.responses import ActionResult

#: AWS-owned Session documents: their parameters and which are required.
SESSION_DOCUMENTS: dict[str, dict[str, bool]] = {
    "AWS-StartPortForwardingSessionToRemoteHost": {"host": True, "portNumber": False, "localPortNumber": False},
    "AWS-StartPortForwardingSession": {"portNumber": False, "localPortNumber": False},
    "AWS-StartInteractiveCommand": {"command": True},
}

EXEC_REFUSED = ("The execute command failed because execute command was not enabled when the task was run or "
                "the execute command agent isn't running. Wait and try again or run a new task with execute "
                "command enabled and try again.")


def _stream_url(region: str, session_id: str) -> str:
    return f"wss://ssmmessages.{region}.amazonaws.com/v1/data-channel/{session_id}?role=publish_subscribe"


def _session(region: str, who: str) -> dict[str, str]:
    session_id = f"{who}-{secrets.token_hex(8)}"
    return {"sessionId": session_id, "streamUrl": _stream_url(region, session_id), "tokenValue": secrets.token_urlsafe(48)}


# --- ECS --------------------------------------------------------------------------------------

def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _from_template(service: Any, props: dict[str, Any]) -> Any:
    """What the AWS::ECS::Service resource says about exec and networking, as DescribeServices shows it."""
    service.enable_execute_command = _truthy(props.get("EnableExecuteCommand", False))
    awsvpc = (props.get("NetworkConfiguration") or {}).get("AwsvpcConfiguration")
    if awsvpc:
        service.network_configuration = {"awsvpcConfiguration": {
            "subnets": list(awsvpc.get("Subnets") or []), "securityGroups": list(awsvpc.get("SecurityGroups") or []),
            "assignPublicIp": awsvpc.get("AssignPublicIp", "DISABLED")}}
    return service


def _service_create(original: Any) -> Any:
    def create(cls: Any, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any) -> Any:
        service = original.__func__(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        return _from_template(service, cloudformation_json["Properties"])

    return classmethod(create)


def _service_update(original: Any) -> Any:
    def update(cls: Any, original_resource: Any, new_resource_name: str, cloudformation_json: Any, account_id: str, region_name: str) -> Any:
        service = original.__func__(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        return _from_template(service, cloudformation_json["Properties"])

    return classmethod(update)


def _requirements(original: Any) -> Any:
    def calculate(task_definition: Any) -> Any:
        saved = task_definition.container_definitions
        task_definition.container_definitions = [
            c if any(k in c for k in ("memory", "Memory", "memoryReservation", "MemoryReservation")) else dict(c, memory=0)
            for c in saved]
        try:
            return original(task_definition)
        finally:
            task_definition.container_definitions = saved

    return staticmethod(calculate)


def _mark_task(task: Any, enable_exec: bool) -> None:
    task.enable_execute_command = enable_exec
    for container in task.containers:
        container.runtime_id = f"{task.id.replace('-', '')[:32]}-{secrets.randbelow(10**10):010d}"
        container.managed_agents = (
            [{"name": "ExecuteCommandAgent", "lastStatus": "RUNNING"}] if enable_exec else [])


def _run_task(original: Any) -> Any:
    def run_task(self: Any) -> Any:
        result = original(self)
        enable = bool(self._get_param("enableExecuteCommand", False))
        for task in result.result["tasks"] if hasattr(result, "result") else []:
            _mark_task(task, enable)
        return result

    return run_task


def execute_command(self: Any) -> ActionResult:
    """AWS ECS ExecuteCommand (moto 5.2.1 has no such action)."""
    from moto.ecs.exceptions import InvalidParameterException

    cluster = self._get_param("cluster", "default")
    task_id = str(self._get_param("task", "")).split("/")[-1]
    found = [t for t in self.ecs_backend.list_tasks(cluster) if t.id == task_id]
    if not found:
        raise InvalidParameterException("The task provided in the request was not found.")
    task = found[0]
    wanted = self._get_param("container")
    containers = [c for c in task.containers if wanted in (None, c.name)]
    if not containers or (wanted is None and len(task.containers) > 1):
        raise InvalidParameterException("The container provided in the request was not found." if wanted
                                        else "The container name must be specified when the task has more than one container.")
    container = containers[0]
    agent_running = any(a.get("lastStatus") == "RUNNING" for a in getattr(container, "managed_agents", []))
    if task.last_status != "RUNNING" or not getattr(task, "enable_execute_command", False) or not agent_running:
        raise InvalidParameterException(EXEC_REFUSED)
    if not self._get_param("interactive"):
        raise InvalidParameterException("Interactive is the only mode supported currently.")
    return ActionResult({
        "clusterArn": task.cluster_arn, "containerArn": container.container_arn, "containerName": container.name,
        "interactive": True, "session": _session(self.region, "ecs-execute-command"), "taskArn": task.task_arn,
    })


# --- SSM --------------------------------------------------------------------------------------

def _ssm_error(code: str, message: str) -> Exception:
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError(code, message)


def start_session(self: Any) -> ActionResult:
    """AWS SSM StartSession (moto 5.2.1 has no such action)."""
    from moto.ec2.models import ec2_backends

    target = self._get_param("Target")
    document = self._get_param("DocumentName") or "SSM-SessionManagerRunShell"
    parameters: dict[str, list[str]] = self._get_param("Parameters") or {}
    if document != "SSM-SessionManagerRunShell":
        spec = SESSION_DOCUMENTS.get(document)
        if spec is None:
            raise _ssm_error("InvalidDocument", f"Document with name {document} does not exist.")
        unknown = sorted(set(parameters) - set(spec))
        missing = sorted(name for name, required in spec.items() if required and not parameters.get(name))
        if unknown or missing:
            raise _ssm_error("InvalidParameters", f"Parameters {unknown or missing} are not valid for document {document}.")
    ec2 = ec2_backends[self.current_account][self.region]
    running = [i for r in ec2.reservations.values() for i in r.instances if i.id == target and i.state == "running"]
    if not running:
        raise _ssm_error("TargetNotConnected", f"{target} is not connected.")
    session = _session(self.region, "cfn-stages")
    self.ssm_backend.cfn_stages_sessions = getattr(self.ssm_backend, "cfn_stages_sessions", {})
    self.ssm_backend.cfn_stages_sessions[session["sessionId"]] = {
        "Target": target, "DocumentName": document, "Parameters": parameters, "Status": "Connected"}
    return ActionResult({"SessionId": session["sessionId"], "TokenValue": session["tokenValue"], "StreamUrl": session["streamUrl"]})


def terminate_session(self: Any) -> ActionResult:
    """AWS SSM TerminateSession: ends a session (an unknown or ended one is not an error)."""
    session_id = self._get_param("SessionId")
    known = getattr(self.ssm_backend, "cfn_stages_sessions", {})
    if session_id in known:
        known[session_id]["Status"] = "Terminated"
    return ActionResult({"SessionId": session_id})


def install() -> None:
    from moto.ecs.models import EC2ContainerServiceBackend, Service
    from moto.ecs.responses import EC2ContainerServiceResponse
    from moto.ssm.responses import SimpleSystemManagerResponse

    EC2ContainerServiceResponse.run_task = _run_task(EC2ContainerServiceResponse.run_task)
    EC2ContainerServiceResponse.execute_command = execute_command
    EC2ContainerServiceBackend._calculate_task_resource_requirements = _requirements(
        EC2ContainerServiceBackend._calculate_task_resource_requirements)
    Service.create_from_cloudformation_json = _service_create(Service.__dict__["create_from_cloudformation_json"])
    Service.update_from_cloudformation_json = _service_update(Service.__dict__["update_from_cloudformation_json"])
    SimpleSystemManagerResponse.start_session = start_session
    SimpleSystemManagerResponse.terminate_session = terminate_session
