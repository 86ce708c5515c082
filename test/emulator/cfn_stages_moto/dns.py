"""Route 53 zones and DNS-validated ACM certificates, as 16.env-dns-zone and 17.env-certificate use them.

AWS: ``AWS::Route53::HostedZone`` answers ``Fn::GetAtt`` ``Id`` and ``NameServers`` (the zone's
delegation set). An ``AWS::CertificateManager::Certificate`` with ``ValidationMethod: DNS`` and a
``HostedZoneId`` in each ``DomainValidationOptions`` entry: CloudFormation writes the validation
CNAME records into that zone itself, and ACM issues the certificate once the records resolve
(until then it is PENDING_VALIDATION and the stack waits).
moto 5.2.1: the zone has no GetAtt (the NameServers output vanishes); the certificate type does not
exist; moto's ACM issues every requested certificate 60 s after the request, records or not.
Here: GetAtt on moto's zone; the certificate is requested from moto's ACM, its validation records
are written into the named zones, and it is ISSUED exactly while every validation record of it
exists in a zone of this emulator (PENDING_VALIDATION otherwise: a certificate requested without
HostedZoneId stays pending). Delegation itself (the public NS answer) is not emulated: the
deployer checks it before creating the certificate stack (src/deploy/delegation.ts), and the test
answers those DNS queries itself. Needed by ``test/e2e/domain.test.ts``.
"""

from __future__ import annotations

import uuid
from typing import Any

from moto.core.common_models import CloudFormationModel

from .base import Resource, tag_list, typed

#: Certificates made through CloudFormation whose status follows their validation records.
_VALIDATED_BY_RECORDS: set[str] = set()


def _route53(account_id: str) -> Any:
    from moto.route53.models import route53_backends

    return route53_backends[account_id]["aws"]


def _fqdn(name: str) -> str:
    return name if name.endswith(".") else name + "."


def _validation_records(cert: Any) -> list[dict[str, str]]:
    options = cert.describe()["Certificate"].get("DomainValidationOptions") or []
    unique = {o["ResourceRecord"]["Name"]: o["ResourceRecord"] for o in options}
    return list(unique.values())


def _records_exist(account_id: str, records: list[dict[str, str]]) -> bool:
    zones = _route53(account_id).zones.values()
    return all(
        any(_fqdn(r.name) == _fqdn(record["Name"]) and r.type == "CNAME" for zone in zones for r in zone.rrsets)
        for record in records)


@typed("AWS::CertificateManager::Certificate")
class Certificate(Resource, CloudFormationModel):
    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "Certificate":
        from moto.acm.models import acm_backends

        backend = acm_backends[account_id][region_name]
        arn = backend.request_certificate(
            props["DomainName"], str(uuid.uuid4()), props.get("SubjectAlternativeNames") or [],
            tag_list(props), props.get("CertificateAuthorityArn"))
        cert = backend.get_certificate(arn)
        cert.status = "PENDING_VALIDATION"
        _VALIDATED_BY_RECORDS.add(arn)
        zones = {o["HostedZoneId"] for o in props.get("DomainValidationOptions") or [] if o.get("HostedZoneId")}
        for zone_id in zones:
            zone = _route53(account_id).get_hosted_zone(zone_id)
            for record in _validation_records(cert):
                zone.upsert_rrset({"Name": record["Name"], "Type": "CNAME", "TTL": 300,
                                   "ResourceRecords": [record["Value"]]})
        cert.check()

        def delete() -> None:
            _VALIDATED_BY_RECORDS.discard(arn)
            backend.delete_certificate(arn)

        return cls(arn, {}, delete)


def _zone_attribute(self: Any, attribute_name: str) -> Any:
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

    if attribute_name == "Id":
        return self.resource_id
    if attribute_name == "NameServers":
        return list(self.delegation_set.name_servers) if self.delegation_set else []
    raise UnformattedGetAttTemplateException()


def _aws_zone_id(*_args: Any, **_kwargs: Any) -> str:
    """A hosted zone id as AWS makes them: "Z" and upper-case letters or digits (Z0123ABCD...)."""
    import random
    import string

    return "Z" + "".join(random.choice(string.ascii_uppercase + string.digits) for _ in range(20))


def install() -> None:
    from moto.acm.models import CertBundle
    from moto.route53 import models as route53_models
    from moto.route53.models import FakeZone

    # AWS's zone ids start with "Z"; moto 5.2.1 draws 22 random characters, so an id it gives
    # fails 16's ExistingHostedZoneId pattern as no real id does.
    route53_models.create_route53_zone_id = _aws_zone_id

    FakeZone.has_cfn_attr = classmethod(lambda cls, attr: attr in ("Id", "NameServers"))  # type: ignore[assignment]
    FakeZone.get_cfn_attribute = _zone_attribute  # type: ignore[attr-defined]

    moto_check = CertBundle.check

    def check(self: Any) -> None:
        if self.arn not in _VALIDATED_BY_RECORDS:
            moto_check(self)
            return
        account_id = self.arn.split(":")[4]
        issued = _records_exist(account_id, _validation_records(self))
        self.status = "ISSUED" if issued else "PENDING_VALIDATION"

    CertBundle.check = check  # type: ignore[method-assign]
