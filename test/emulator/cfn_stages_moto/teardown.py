"""What AWS releases when a resource is deleted, and the dependency checks AWS makes first.

AWS: CloudFormation deletes each resource through its service's API, and those APIs release what
the resource held (a NAT gateway's network interface and Elastic IP association, a terminated
instance's primary network interface) and refuse to delete what something still uses ("has
dependencies and cannot be deleted"). moto 5.2.1: many of its CloudFormation types have no delete
at all, so DeleteStack reports them DELETE_COMPLETE and leaves them behind (route tables, routes,
subnet associations, NAT gateways, Elastic IPs, internet gateways and their attachments, VPC
endpoints, flow logs, volumes, ingress rules, ECS services/clusters/task definitions, ALB listeners, rules
and target groups); its DeleteNatGateway keeps the network interface and the address association;
a terminated instance keeps its primary network interface; deleting an Auto Scaling group leaves
its scale-in-protected instances running; and DeleteVpc / DeleteSubnet /
DetachInternetGateway check little, so a wrong deletion order goes unnoticed.

Here: ``DELETERS`` maps each such CloudFormation type to the API call AWS makes (deletion.py
calls it); ``install`` fixes the backend calls. A resource already gone counts as deleted, as on
AWS. moto creates no network interfaces for load balancers or (with no running tasks) ECS
services, so there are none to release there.
"""

from __future__ import annotations

from typing import Any, Callable

from moto.ec2.exceptions import DependencyViolationError, EC2ClientError
from moto.ec2.models import EC2Backend, ec2_backends
from moto.ec2.models.instances import Instance
from moto.ec2.models.subnets import SubnetRouteTableAssociation
from moto.ecs.exceptions import ECSException

#: CloudFormation type -> deleter(resource moto keeps in the stack, account id, region).
DELETERS: dict[str, Callable[[Any, str, str], None]] = {}


def deleter(kind: str) -> Callable[[Callable[[Any, str, str], None]], Callable[[Any, str, str], None]]:
    def register(function: Callable[[Any, str, str], None]) -> Callable[[Any, str, str], None]:
        DELETERS[kind] = function
        return function
    return register


def _ec2(account_id: str, region_name: str) -> Any:
    return ec2_backends[account_id][region_name]


def _ecs(account_id: str, region_name: str) -> Any:
    from moto.ecs.models import ecs_backends

    return ecs_backends[account_id][region_name]


def _elbv2(account_id: str, region_name: str) -> Any:
    from moto.elbv2.models import elbv2_backends

    return elbv2_backends[account_id][region_name]


# --- EC2 network ------------------------------------------------------------------------------

@deleter("AWS::EC2::Route")
def _route(route: Any, account_id: str, region_name: str) -> None:
    table = _ec2(account_id, region_name).route_tables.get(route.route_table.id)
    if table is not None:
        table._routes.pop(route.id, None)


@deleter("AWS::EC2::RouteTable")
def _route_table(table: Any, account_id: str, region_name: str) -> None:
    ec2 = _ec2(account_id, region_name)
    if table.id in ec2.route_tables:
        ec2.delete_route_table(table.id)  # refused while subnets are associated, as on AWS


@deleter("AWS::EC2::SubnetRouteTableAssociation")
def _subnet_association(association: Any, account_id: str, region_name: str) -> None:
    ec2 = _ec2(account_id, region_name)
    table = ec2.route_tables.get(association.route_table_id)
    if table is not None:
        table._associations.pop(getattr(association, "id", None), None)
    ec2.subnet_associations.pop(f"{association.route_table_id}:{association.subnet_id}", None)


@deleter("AWS::EC2::NatGateway")
def _nat_gateway(nat: Any, account_id: str, region_name: str) -> None:
    _ec2(account_id, region_name).delete_nat_gateway(nat.id)


@deleter("AWS::EC2::EIP")
def _elastic_ip(address: Any, account_id: str, region_name: str) -> None:
    ec2 = _ec2(account_id, region_name)
    if address in ec2.addresses:
        ec2.release_address(address=address.public_ip)


@deleter("AWS::EC2::InternetGateway")
def _internet_gateway(gateway: Any, account_id: str, region_name: str) -> None:
    ec2 = _ec2(account_id, region_name)
    if gateway.id in ec2.internet_gateways:
        ec2.delete_internet_gateway(gateway.id)  # refused while attached, as on AWS


@deleter("AWS::EC2::VPCGatewayAttachment")
def _gateway_attachment(attachment: Any, account_id: str, region_name: str) -> None:
    ec2 = _ec2(account_id, region_name)
    gateway_id = attachment.gateway_id or ""
    if gateway_id.startswith("igw-"):
        gateway = ec2.internet_gateways.get(gateway_id)
        if gateway is not None and gateway.vpc is not None and gateway.vpc.id == attachment.vpc_id:
            ec2.detach_internet_gateway(gateway_id, attachment.vpc_id)
    elif gateway_id and gateway_id in ec2.vpn_gateways:
        ec2.detach_vpn_gateway(gateway_id, attachment.vpc_id)


@deleter("AWS::EC2::VPCEndpoint")
def _vpc_endpoint(endpoint: Any, account_id: str, region_name: str) -> None:
    if endpoint.state != "deleted":
        _ec2(account_id, region_name).delete_vpc_endpoints([endpoint.id])


@deleter("AWS::EC2::FlowLog")
def _flow_log(flow_log: Any, account_id: str, region_name: str) -> None:
    ec2 = _ec2(account_id, region_name)
    if flow_log.id in ec2.flow_logs:
        ec2.delete_flow_logs([flow_log.id])


@deleter("AWS::EC2::Volume")
def _volume(volume: Any, account_id: str, region_name: str) -> None:
    ec2 = _ec2(account_id, region_name)
    if volume.id in ec2.volumes:
        ec2.delete_volume(volume.id)  # refused while attached, as on AWS


@deleter("AWS::EC2::SecurityGroupIngress")
def _ingress(ingress: Any, account_id: str, region_name: str) -> None:
    ec2 = _ec2(account_id, region_name)
    group = ec2.get_security_group_from_id(ingress.security_group.id)
    if group is None:
        return
    props = ingress.properties
    source = {key: props[prop] for key, prop in (("GroupId", "SourceSecurityGroupId"),
                                                  ("GroupName", "SourceSecurityGroupName")) if props.get(prop)}
    ec2.revoke_security_group_ingress(
        group.id, props.get("IpProtocol"), props.get("FromPort"), props.get("ToPort"),
        [{"CidrIp": props["CidrIp"], "Description": props.get("Description")}] if props.get("CidrIp") else [],
        [source] if source else [])


@deleter("AWS::AutoScaling::AutoScalingGroup")
def _autoscaling_group(group: Any, account_id: str, region_name: str) -> None:
    # AWS: deleting the group terminates all its instances, scale-in protection or not. moto scales
    # it to zero, which leaves protected instances (NewInstancesProtectedFromScaleIn) running.
    from moto.autoscaling.models import autoscaling_backends

    backend = autoscaling_backends[account_id][region_name]
    if group.name not in backend.autoscaling_groups:
        return
    running = [state.instance.id for state in group.instance_states]
    if running:
        _ec2(account_id, region_name).terminate_instances(running)
    group.instance_states = []
    backend.autoscaling_groups.pop(group.name)


# --- ECS and load balancers ---------------------------------------------------------------------

@deleter("AWS::ECS::Service")
def _ecs_service(service: Any, account_id: str, region_name: str) -> None:
    # CloudFormation scales the service to zero, then deletes it (it stays listed as INACTIVE).
    if service.status == "ACTIVE":
        _ecs(account_id, region_name).delete_service(service.cluster_name, service.name, force=True)


@deleter("AWS::ECS::Cluster")
def _ecs_cluster(cluster: Any, account_id: str, region_name: str) -> None:
    ecs = _ecs(account_id, region_name)
    active = [s.name for s in ecs.services.values() if s.cluster_name == cluster.name and s.status == "ACTIVE"]
    if active:  # AWS DeleteCluster: ClusterContainsServicesException
        raise ECSException("ClusterContainsServicesException",
                           "The Cluster cannot be deleted while Services are active.")
    if cluster.status == "ACTIVE":
        ecs.delete_cluster(cluster.name)


@deleter("AWS::ECS::TaskDefinition")
def _task_definition(task_definition: Any, account_id: str, region_name: str) -> None:
    # CloudFormation deregisters the revision: it stays describable as INACTIVE, as on AWS.
    if task_definition.status == "ACTIVE":
        _ecs(account_id, region_name).deregister_task_definition(task_definition.arn)


@deleter("AWS::ElasticLoadBalancingV2::Listener")
def _listener(listener: Any, account_id: str, region_name: str) -> None:
    elbv2 = _elbv2(account_id, region_name)
    if any(listener.arn in lb.listeners for lb in elbv2.load_balancers.values()):
        elbv2.delete_listener(listener.arn)


@deleter("AWS::ElasticLoadBalancingV2::ListenerRule")
def _listener_rule(rule: Any, account_id: str, region_name: str) -> None:
    _elbv2(account_id, region_name).delete_rule(rule.arn)  # a rule already gone is no error


@deleter("AWS::ElasticLoadBalancingV2::TargetGroup")
def _target_group(group: Any, account_id: str, region_name: str) -> None:
    elbv2 = _elbv2(account_id, region_name)
    if group.arn in elbv2.target_groups:
        elbv2.delete_target_group(group.arn)  # refused while a listener or rule uses it, as on AWS


# --- backend calls ------------------------------------------------------------------------------

_original = {
    "delete_vpc": EC2Backend.delete_vpc,
    "delete_subnet": EC2Backend.delete_subnet,
    "detach_internet_gateway": EC2Backend.detach_internet_gateway,
    "prep_nics": Instance.prep_nics,
    "association_create": SubnetRouteTableAssociation.create_from_cloudformation_json,
}


def delete_nat_gateway(self: EC2Backend, nat_gateway_id: str) -> Any:
    """AWS DeleteNatGateway: the gateway goes to "deleted" (still listed for a while), its Elastic
    IP is disassociated and its network interface deleted. moto: only the state changes, so the
    interface keeps the subnet, and the address stays mapped in the VPC."""
    nat = self.nat_gateways.get(nat_gateway_id)
    if nat is None:
        raise EC2ClientError("NatGatewayNotFound", f"The Nat Gateway {nat_gateway_id} was not found")
    if nat.state != "deleted":
        eni = nat._eni
        for address in [a for a in self.addresses if a.eni is eni]:
            self.disassociate_address(address=address.public_ip)
        if eni.id in self.enis:
            eni.delete()
        nat.state = "deleted"
    return nat


def _in_use(vpc_id: str, backend: EC2Backend) -> list[str]:
    """What keeps a VPC from being deleted on AWS, beyond what moto checks (subnets, route tables,
    VPN gateways): an attached internet gateway, live VPC endpoints and NAT gateways,
    security groups other than the default one, network interfaces."""
    found = [igw.id for igw in backend.internet_gateways.values() if igw.vpc is not None and igw.vpc.id == vpc_id]
    found += [e.id for e in backend.vpc_end_points.values() if e.vpc_id == vpc_id and e.state != "deleted"]
    found += [n.id for n in backend.nat_gateways.values() if n.vpc_id == vpc_id and n.state != "deleted"]
    found += [g.id for g in backend.groups.get(vpc_id, {}).values() if g.name != "default"]
    found += [eni.id for eni in backend.enis.values() if getattr(eni.subnet, "vpc_id", None) == vpc_id]
    return found


def delete_vpc(self: EC2Backend, vpc_id: str) -> Any:
    """AWS DeleteVpc: refused ("has dependencies") while anything but the main route table and the
    default security group is left in it."""
    if vpc_id in self.vpcs and _in_use(vpc_id, self):
        raise DependencyViolationError(f"The vpc '{vpc_id}' has dependencies and cannot be deleted.")
    return _original["delete_vpc"](self, vpc_id)


def delete_subnet(self: EC2Backend, subnet_id: str) -> Any:
    """AWS DeleteSubnet: refused while a network interface (an instance's, a NAT gateway's...) is
    in the subnet. moto: deletes it anyway, leaving the interfaces behind."""
    if any(getattr(eni.subnet, "id", None) == subnet_id for eni in self.enis.values()):
        raise DependencyViolationError(f"The subnet '{subnet_id}' has dependencies and cannot be deleted.")
    return _original["delete_subnet"](self, subnet_id)


def detach_internet_gateway(self: EC2Backend, internet_gateway_id: str, vpc_id: str) -> None:
    """AWS DetachInternetGateway: refused while an Elastic IP is associated in the VPC (this is why
    templates make EIPs DependOn the gateway attachment). moto: detaches anyway."""
    mapped = [a.public_ip for a in self.addresses
              if (a.eni is not None and getattr(a.eni.subnet, "vpc_id", None) == vpc_id)
              or (a.instance is not None and getattr(a.instance, "vpc_id", None) == vpc_id)]
    if mapped:
        raise DependencyViolationError(f"Network {vpc_id} has some mapped public address(es). "
                                       "Please unmap those public address(es) before detaching the gateway.")
    _original["detach_internet_gateway"](self, internet_gateway_id, vpc_id)


def prep_nics(self: Instance, nic_spec: list[dict[str, Any]], *args: Any, **kwargs: Any) -> None:
    """AWS: the primary network interface an instance is launched with (none given) is deleted when
    the instance terminates. moto: keeps it (DeleteOnTermination false), so the subnet stays busy."""
    _original["prep_nics"](self, nic_spec, *args, **kwargs)
    if not nic_spec:
        for nic in self.nics.values():
            nic.delete_on_termination = True


def _associate(cls: Any, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
               region_name: str, **kwargs: Any) -> Any:
    """AWS::EC2::SubnetRouteTableAssociation. AWS: associates the subnet with the route table
    (DescribeRouteTables lists it; DeleteRouteTable is refused until it goes); Ref is the
    association id. moto: records the pair aside without associating, and Ref is the table id."""
    association = _original["association_create"].__func__(cls, resource_name, cloudformation_json,
                                                           account_id, region_name, **kwargs)
    association.id = _ec2(account_id, region_name).associate_route_table(
        association.route_table_id, subnet_id=association.subnet_id)
    return association


def install() -> None:
    EC2Backend.delete_nat_gateway = delete_nat_gateway
    EC2Backend.delete_vpc = delete_vpc
    EC2Backend.delete_subnet = delete_subnet
    EC2Backend.detach_internet_gateway = detach_internet_gateway
    Instance.prep_nics = prep_nics
    SubnetRouteTableAssociation.create_from_cloudformation_json = classmethod(_associate)
    SubnetRouteTableAssociation.physical_resource_id = property(lambda self: getattr(self, "id", self.route_table_id))
