"""Template functions moto 5.2.1 gets wrong: Fn::Cidr, Fn::GetAZs, dynamic references.

All three live in moto's ``clean_json`` (``moto/cloudformation/parsing.py``), which resolves
intrinsic functions recursively through its module-level name; replacing that name with a wrapper
makes every nested call go through the wrapper too.

- Fn::Cidr [ipBlock, count, cidrBits]. AWS: the first ``count`` blocks of (address bits - cidrBits)
  prefix length inside ipBlock, in order. moto: not implemented (the dict is passed through and the
  resource fails). Here: computed with ``ipaddress``.
- Fn::GetAZs REGION. AWS: the zones of REGION ("" or AWS::Region: the stack's region). moto: does
  not resolve a Ref argument ({"Ref": "AWS::Region"} becomes part of the zone names) and invents
  four zones. Here: the zones moto's EC2 reports for the resolved region.
- AWS::NoValue inside a list. AWS: removes the element (a conditional list member). moto: leaves
  None in the list, which the resource then trips over.
- Dynamic references {{resolve:secretsmanager:ID:SecretString:KEY:STAGE:VERSION}} and
  {{resolve:ssm:NAME}}. AWS: replaced by the value when the resource is created (this is how
  templates pass generated passwords to databases without exposing them). moto: passed through as
  literal text. Here: resolved against moto's secretsmanager and ssm backends.
"""

from __future__ import annotations

import ipaddress
import itertools
import json
import re
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError

_original_clean_json = parsing.clean_json

_DYNAMIC = re.compile(r"\{\{resolve:(secretsmanager|ssm|ssm-secure):([^}]+)\}\}")


def cidr(ip_block: str, count: Any, cidr_bits: Any) -> list[str]:
    """Fn::Cidr as AWS evaluates it."""
    network = ipaddress.ip_network(str(ip_block), strict=False)
    prefix = network.max_prefixlen - int(cidr_bits)
    wanted = int(count)
    if not (network.prefixlen <= prefix <= network.max_prefixlen) or not 1 <= wanted <= 256:
        raise ValidationError(message=f"Template error: Fn::Cidr cannot split {ip_block} by {cidr_bits} bits")
    blocks = [str(block) for block in itertools.islice(network.subnets(new_prefix=prefix), wanted)]
    if len(blocks) < wanted:
        raise ValidationError(message=f"Template error: {ip_block} holds fewer than {wanted} /{prefix} blocks")
    return blocks


def availability_zones(region: str, resources_map: Any) -> list[str]:
    from moto.ec2.models import ec2_backends

    account = getattr(resources_map, "_account_id", None) or "123456789012"
    region = region or getattr(resources_map, "_region_name", None) or parsing.DEFAULT_REGION
    zones = ec2_backends[account][region].describe_availability_zones()
    return sorted(zone.name for zone in zones)


def _secret_reference(reference: str, account: str, region: str) -> str:
    from moto.secretsmanager.models import secretsmanager_backends

    parts = reference.split(":")
    split = 7 if parts[0] == "arn" else 1  # an ARN id has its own colons
    secret_id, rest = ":".join(parts[:split]), parts[split:] + [""] * 4
    _, json_key, stage, version = rest[:4]
    value = secretsmanager_backends[account][region].get_secret_value(
        secret_id, version or None, stage or None)["SecretString"]
    return str(json.loads(value)[json_key]) if json_key else value


def resolve_dynamic_references(text: str, resources_map: Any) -> str:
    account = getattr(resources_map, "_account_id", None)
    region = getattr(resources_map, "_region_name", None)
    if account is None:
        return text

    def replace(match: re.Match[str]) -> str:
        service, reference = match.group(1), match.group(2)
        try:
            if service == "secretsmanager":
                return _secret_reference(reference, account, region)
            from moto.ssm.models import ssm_backends

            return ssm_backends[account][region].get_parameter(reference.split(":")[0]).value
        except Exception as error:  # AWS fails the resource that holds the reference
            raise ValidationError(message=f"Could not resolve dynamic reference {match.group(0)}: {error}")

    return _DYNAMIC.sub(replace, text)


def clean_json(resource_json: Any, resources_map: Any) -> Any:
    if isinstance(resource_json, dict) and len(resource_json) == 1:
        if "Fn::Cidr" in resource_json:
            return cidr(*[clean_json(arg, resources_map) for arg in resource_json["Fn::Cidr"]])
        if "Fn::GetAZs" in resource_json:
            return availability_zones(clean_json(resource_json["Fn::GetAZs"], resources_map) or "",
                                      resources_map)
    if isinstance(resource_json, list):
        # AWS: {"Ref": "AWS::NoValue"} (e.g. from Fn::If) removes a list element; moto keeps a None.
        cleaned = [clean_json(item, resources_map) for item in resource_json]
        return [item for item, raw in zip(cleaned, resource_json) if item is not None or raw is None]
    result = _original_clean_json(resource_json, resources_map)
    if isinstance(result, str) and "{{resolve:" in result:
        return resolve_dynamic_references(result, resources_map)
    return result


def install() -> None:
    parsing.clean_json = clean_json
