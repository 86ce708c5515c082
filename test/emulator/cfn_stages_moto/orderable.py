"""Instance classes RDS offers for Aurora PostgreSQL and DocumentDB, as DescribeOrderableDBInstanceOptions.

AWS: DescribeOrderableDBInstanceOptions answers, per engine, the (engine version, instance class)
pairs the region offers, filtered by ``Engine``, ``EngineVersion`` and ``DBInstanceClass``;
DocumentDB's API is RDS's, engine ``docdb``. Aurora offers only its own classes (db.r*, db.x*,
db.t3/t4g medium and large): ``db.m5.large``, an RDS for PostgreSQL class, is not orderable, and
an AWS::RDS::DBInstance asking for it fails when CloudFormation reaches it.
moto 5.2.1: answers aurora-postgresql from a table that ends at 15.2 (no 16 or 17, the versions
the templates use) and nothing for docdb; ignores ``DBInstanceClass``.
Here: for aurora-postgresql and docdb, a small table of today's offerings (the classes the
catalogue's documentation names and their neighbours, for the template's engine versions),
filtered by all three. Other engines keep moto's answer. Needed by test/e2e/offerings.test.ts (a
class that is not offered is refused before anything is created) and by every suite that deploys
a database through the preflight.

With ``CFN_STAGES_EMULATOR_DENY_OFFERINGS=1`` the account's credentials lack the permissions for
both questions, as a policy without ``ec2:DescribeInstanceTypeOfferings`` and
``rds:DescribeOrderableDBInstanceOptions``: EC2 answers UnauthorizedOperation, RDS AccessDenied.
Needed by test/e2e/offerings.test.ts (no answer is "not checked", and the deploy goes on).
"""

from __future__ import annotations

import os
from typing import Any

_AURORA_VERSIONS = ["14.17", "15.12", "16.8", "17.4", "17.6"]
_AURORA_CLASSES = [
    "db.t4g.medium", "db.t4g.large", "db.t3.medium", "db.t3.large",
    "db.r6g.large", "db.r6g.xlarge", "db.r6g.2xlarge", "db.r6i.large", "db.r6i.xlarge",
    "db.r7g.large", "db.r7g.xlarge", "db.r7g.2xlarge", "db.x2g.large",
]
_DOCDB_VERSIONS = ["4.0.0", "5.0.0", "8.0.0"]
_DOCDB_CLASSES = [
    "db.t3.medium", "db.t4g.medium", "db.r6g.large", "db.r6g.xlarge", "db.r7g.large", "db.r7g.xlarge",
]
_TABLE = {
    "aurora-postgresql": (_AURORA_VERSIONS, _AURORA_CLASSES, "postgresql-license"),
    "docdb": (_DOCDB_VERSIONS, _DOCDB_CLASSES, "na"),
}


def _rows(engine: str, region: str) -> list[dict[str, Any]]:
    versions, classes, licence = _TABLE[engine]
    zones = [{"Name": f"{region}{z}"} for z in "abc"]
    return [
        {"Engine": engine, "EngineVersion": v, "DBInstanceClass": c, "LicenseModel": licence,
         "AvailabilityZones": zones, "MultiAZCapable": False, "ReadReplicaCapable": False, "Vpc": True,
         "SupportsStorageEncryption": True, "StorageType": "aurora", "SupportsClusters": True}
        for v in versions for c in classes
    ]


def _denied() -> bool:
    return os.environ.get("CFN_STAGES_EMULATOR_DENY_OFFERINGS") == "1"


def _describe(original: Any) -> Any:
    def describe_orderable_db_instance_options(self: Any) -> Any:
        if _denied():
            from moto.rds.exceptions import RDSClientError

            raise RDSClientError("AccessDenied", "User: arn:aws:iam::123456789012:user/deployer is not authorized "
                                 "to perform: rds:DescribeOrderableDBInstanceOptions")
        engine = self.params.get("Engine")
        if engine not in _TABLE:
            return original(self)
        from moto.core.responses import PaginatedResult

        version = self.params.get("EngineVersion")
        cls = self.params.get("DBInstanceClass")
        rows = [r for r in _rows(engine, self.region)
                if (not version or r["EngineVersion"] == version) and (not cls or r["DBInstanceClass"] == cls)]
        return PaginatedResult({"OrderableDBInstanceOptions": rows})
    return describe_orderable_db_instance_options


def _type_offerings(original: Any) -> Any:
    def describe_instance_type_offerings(self: Any) -> Any:
        if _denied():
            from moto.ec2.exceptions import EC2ClientError

            raise EC2ClientError("UnauthorizedOperation", "You are not authorized to perform this operation. User: "
                                 "arn:aws:iam::123456789012:user/deployer is not authorized to perform: "
                                 "ec2:DescribeInstanceTypeOfferings")
        return original(self)
    return describe_instance_type_offerings


def install() -> None:
    from moto.ec2.responses.instances import InstanceResponse
    from moto.rds.responses import RDSResponse

    InstanceResponse.describe_instance_type_offerings = _type_offerings(  # type: ignore[method-assign]
        InstanceResponse.describe_instance_type_offerings)
    RDSResponse.describe_orderable_db_instance_options = _describe(  # type: ignore[method-assign]
        RDSResponse.describe_orderable_db_instance_options)
