"""Route 53 zones and DNS-validated ACM certificates, as 16.env-dns-zone and 17.env-certificate use them.

AWS: ``AWS::Route53::HostedZone`` answers ``Fn::GetAtt`` ``Id`` and ``NameServers`` (the zone's
delegation set). Each new public zone gets its own delegation set: four name servers (one each
under .com, .net, .org and .co.uk) drawn from a large pool, so a zone deleted and created again
for the same domain has other name servers, and the domain must be delegated again; a zone made
with a reusable delegation set gets that set's servers. An ``AWS::CertificateManager::Certificate`` with ``ValidationMethod: DNS`` and a
``HostedZoneId`` in each ``DomainValidationOptions`` entry: CloudFormation writes the validation
CNAME records into that zone itself, and ACM issues the certificate once the records resolve
(until then it is PENDING_VALIDATION and the stack waits).
moto 5.2.1: the zone has no GetAtt (the NameServers output vanishes); every zone gets the same four
name servers (ns-2048.awsdns-64.com ...), so any zone of a domain looks delegated once one was,
and a zone made with a reusable delegation set overwrites that set; the certificate type does not
exist; moto's ACM issues every requested certificate 60 s after the request, records or not.
Here: GetAtt on moto's zone; each delegation set drawn from the pool (``_name_servers``), and a
reusable set kept for the zones that name it; the certificate is requested from moto's ACM, its validation records
are written into the named zones, and it is ISSUED exactly while every validation record of it
exists in a zone of this emulator (PENDING_VALIDATION otherwise: a certificate requested without
HostedZoneId stays pending). Delegation itself (the public NS answer) is not emulated: the
deployer checks it before creating the certificate stack (src/deploy/delegation.ts), and the test
answers those DNS queries itself. Needed by ``test/e2e/domain.test.ts`` and
``test/e2e/delegation.test.ts`` (each zone's own name servers).
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


#: Route 53's name-server pool as its names look: ns-<n>.awsdns-<nn>.<tld>, n in a block of 512 per tld.
_POOL_TLDS = ("com", "net", "org", "co.uk")


def _name_servers() -> list[str]:
    """A new delegation set: one name server per top-level domain, drawn at random from the pool."""
    import random

    return [f"ns-{512 * i + random.randrange(512)}.awsdns-{random.randrange(64):02d}.{tld}"
            for i, tld in enumerate(_POOL_TLDS)]


def _install_delegation_sets() -> None:
    from moto.route53.models import DelegationSet, Route53Backend

    moto_init = DelegationSet.__init__

    def init(self: Any, caller_reference: str, name_servers: list[str] | None,
             delegation_set_id: str | None) -> None:
        moto_init(self, caller_reference, name_servers or _name_servers(), delegation_set_id)

    DelegationSet.__init__ = init  # type: ignore[method-assign]

    moto_create_set = Route53Backend.create_reusable_delegation_set

    def create_reusable_delegation_set(self: Any, caller_reference: str, delegation_set_id: str | None = None,
                                       hosted_zone_id: str | None = None) -> Any:
        # Only CreateHostedZone passes an id (the API takes none): the zone joins that existing set.
        if delegation_set_id and not hosted_zone_id and delegation_set_id in self.delegation_sets:
            return self.delegation_sets[delegation_set_id]
        return moto_create_set(self, caller_reference, delegation_set_id, hosted_zone_id)

    Route53Backend.create_reusable_delegation_set = create_reusable_delegation_set  # type: ignore[method-assign]


def install() -> None:
    from moto.acm.models import CertBundle
    from moto.route53 import models as route53_models
    from moto.route53.models import FakeZone

    _install_delegation_sets()

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
