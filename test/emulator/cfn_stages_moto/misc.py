"""AWS::S3::BucketPolicy (the certificate type is in dns.py).

AWS: a BucketPolicy attaches PolicyDocument to Bucket; its physical id is the bucket.
moto 5.2.1: the type does not exist in CloudFormation (skipped silently: the bucket has no policy).
Here: backed by moto's s3 backend (put_bucket_policy / delete_bucket_policy).
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.common_models import CloudFormationModel

from .base import Resource, typed


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
