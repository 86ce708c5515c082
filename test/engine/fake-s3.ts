/**
 * A small in-memory S3 for the engine tests, reached through the same SDK request handler as the
 * fake CloudFormation (path-style requests on the endpoint override). It knows the calls the
 * artifact bucket makes: HeadBucket, CreateBucket, the bucket settings (public access block,
 * encryption, versioning, lifecycle, policy), HeadObject, PutObject, GetObject. See
 * fake-cloudformation.md.
 */
export interface FakeBucket {
  owner: string;
  region: string;
  /** Sub-resource bodies as sent (XML or JSON): `encryption`, `publicAccessBlock`, `versioning`, `lifecycle`, `policy`. */
  settings: Map<string, string>;
  objects: Map<string, string>;
}

export interface FakeHttpRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

export interface FakeHttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const SETTINGS = ['encryption', 'publicAccessBlock', 'versioning', 'lifecycle', 'policy', 'ownershipControls'];

export class FakeS3 {
  readonly buckets = new Map<string, FakeBucket>();
  readonly calls: Array<{ method: string; bucket: string; key?: string; sub?: string }> = [];

  constructor(private readonly account = '123456789012') {}

  /** A bucket that exists already, e.g. owned by another account. */
  addBucket(name: string, owner = this.account, region = 'eu-west-1'): FakeBucket {
    const bucket: FakeBucket = { owner, region, settings: new Map(), objects: new Map() };
    this.buckets.set(name, bucket);
    return bucket;
  }

  /** The template CloudFormation would fetch from a TemplateURL (path style on the endpoint). */
  objectAtUrl(url: string): string | undefined {
    const { pathname } = new URL(url);
    const [bucket, ...key] = pathname.replace(/^\//, '').split('/').map(decodeURIComponent);
    return this.buckets.get(bucket)?.objects.get(key.join('/'));
  }

  handle(req: FakeHttpRequest): FakeHttpResponse {
    const [bucketName, ...keyParts] = req.path.replace(/^\//, '').split('/').map(decodeURIComponent);
    const key = keyParts.join('/') || undefined;
    const sub = Object.keys(req.query ?? {}).find((q) => SETTINGS.includes(q));
    this.calls.push({ method: req.method, bucket: bucketName, key, sub });
    const bucket = this.buckets.get(bucketName);
    const expectedOwner = req.headers['x-amz-expected-bucket-owner'];
    if (bucket && expectedOwner && expectedOwner !== bucket.owner)
      return error(403, 'AccessDenied', 'Access Denied', req.method);
    if (!key) return this.bucketCall(req, bucketName, bucket, sub);
    if (!bucket) return error(404, 'NoSuchBucket', 'The specified bucket does not exist', req.method);
    return this.objectCall(req, bucket, key);
  }

  private bucketCall(
    req: FakeHttpRequest,
    name: string,
    bucket: FakeBucket | undefined,
    sub: string | undefined,
  ): FakeHttpResponse {
    if (req.method === 'HEAD') return bucket ? ok() : error(404, 'NotFound', 'Not Found', 'HEAD');
    if (req.method === 'PUT' && !sub) {
      if (bucket)
        return error(
          409,
          bucket.owner === this.account ? 'BucketAlreadyOwnedByYou' : 'BucketAlreadyExists',
          'bucket exists',
          'PUT',
        );
      const region = /<LocationConstraint>([^<]+)</.exec(String(req.body ?? ''))?.[1] ?? 'us-east-1';
      this.addBucket(name, this.account, region);
      return ok({ location: `/${name}` });
    }
    if (!bucket) return error(404, 'NoSuchBucket', 'The specified bucket does not exist', req.method);
    if (req.method === 'PUT' && sub) {
      bucket.settings.set(sub, String(req.body ?? ''));
      return ok();
    }
    return error(400, 'NotImplemented', `fake S3 has no ${req.method} ${sub ?? 'bucket'}`, req.method);
  }

  private objectCall(req: FakeHttpRequest, bucket: FakeBucket, key: string): FakeHttpResponse {
    const body = bucket.objects.get(key);
    if (req.method === 'PUT') {
      bucket.objects.set(
        key,
        typeof req.body === 'string' ? req.body : Buffer.from(req.body as Uint8Array).toString('utf8'),
      );
      return ok({ etag: '"fake"' });
    }
    if (body === undefined)
      return error(404, req.method === 'HEAD' ? 'NotFound' : 'NoSuchKey', 'Not Found', req.method);
    if (req.method === 'HEAD') return ok({ 'content-length': String(Buffer.byteLength(body)) });
    if (req.method === 'GET') return { statusCode: 200, headers: { 'content-type': 'application/json' }, body };
    return error(400, 'NotImplemented', `fake S3 has no ${req.method} object`, req.method);
  }
}

function ok(headers: Record<string, string> = {}): FakeHttpResponse {
  return { statusCode: 200, headers, body: '' };
}

/** S3 answers HEAD errors with no body: the SDK then names the error after the status (NotFound, Forbidden). */
function error(statusCode: number, code: string, message: string, method: string): FakeHttpResponse {
  if (method === 'HEAD') return { statusCode, headers: {}, body: '' };
  return {
    statusCode,
    headers: { 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  };
}
