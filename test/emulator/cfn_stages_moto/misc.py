"""AWS::CertificateManager::Certificate and AWS::S3::BucketPolicy.

AWS: a Certificate's Ref is its ARN (a DNS-validated certificate is issued once its validation
record resolves). A BucketPolicy attaches PolicyDocument to Bucket; its physical id is the bucket.
moto 5.2.1: neither type exists in CloudFormation (skipped silently: the bucket has no policy).
Here: backed by moto's acm backend (request_certificate with an idempotency token) and s3 backend
(put_bucket_policy / delete_bucket_policy).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from moto.core.common_models import CloudFormationModel

from .base import Resource, tag_list, typed


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
        return cls(arn, {}, lambda: backend.delete_certificate(arn))


@typed("AWS::S3::BucketPolicy")
class BucketPolicy(Resource, CloudFormationModel):
    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "BucketPolicy":
        from moto.s3.models import s3_backends
        from moto.utilities.utils import get_partition

        backend = s3_backends[account_id][get_partition(region_name)]
        bucket = props["Bucket"]
        document = props["PolicyDocument"]
        text = document if isinstance(document, str) else json.dumps(document)
        backend.put_bucket_policy(bucket, text.encode("utf-8"))

        def delete() -> None:
            if bucket in backend.buckets:
                backend.delete_bucket_policy(bucket)

        return cls(bucket, {}, delete)
