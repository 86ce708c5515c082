/** Partition-aware ARN pieces. Pure: no SDK, so link building and tests stay light. */

/** The partition of a region, for ARNs. */
export function partitionOf(region: string): 'aws' | 'aws-cn' | 'aws-us-gov' {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The public DNS suffix of the region's partition (service endpoints). */
export function dnsSuffix(region: string): string {
  return partitionOf(region) === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
}

/** Refuses plain-HTTP requests to the bucket and its objects. */
export function tlsOnlyStatement(bucket: string, region: string) {
  const arn = `arn:${partitionOf(region)}:s3:::${bucket}`;
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [arn, `${arn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}
