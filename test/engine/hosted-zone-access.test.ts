/**
 * A zone named by `domain.existingHostedZoneId` that the credentials may not read: Route 53 answers
 * GetHostedZone with 403 AccessDenied (the emulator grants everything, so the answer comes from a
 * request handler under the real client factory and SDK, which parse it as they would AWS's). The
 * delegation check then refuses the run before any change (exit 2), naming the permission, the
 * field and the fix, instead of failing with the SDK's own text (exit 1).
 */
import { Readable } from 'node:stream';
import { createClients, type AwsClients } from '../../src/aws/clients';
import { CliError, ExitCode } from '../../src/cli/errors';
import { HostedZoneAccessDeniedError, hostedZoneNameServers } from '../../src/deploy/hosted-zone';

const ZONE = 'Z0123456789ABCDEFGHIJ';
const DENIED = `<?xml version="1.0"?>
<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/ci is not authorized to perform: route53:GetHostedZone on resource: arn:aws:route53:::hostedzone/${ZONE} because no identity-based policy allows the route53:GetHostedZone action</Message></Error><RequestId>4f1c</RequestId></ErrorResponse>`;

/** Clients whose every request is answered with `status` and `body`; the requests' paths are kept. */
function answering(status: number, body: string): { clients: AwsClients; paths: string[] } {
  const paths: string[] = [];
  const clients = createClients({
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: { path: string }) => {
        paths.push(request.path);
        return {
          response: { statusCode: status, headers: { 'content-type': 'text/xml' }, body: Readable.from([body]) },
        };
      },
    } as never,
  });
  return { clients, paths };
}

async function refusal(zoneId: string): Promise<unknown> {
  const { clients, paths } = answering(403, DENIED);
  try {
    await hostedZoneNameServers(clients, zoneId, 'example.com');
  } catch (err) {
    expect(paths).toEqual([`/2013-04-01/hostedzone/${ZONE}`]);
    return err;
  } finally {
    clients.destroy();
  }
  throw new Error('expected a refusal');
}

test('GetHostedZone denied: a refusal naming the permission, the field and the fix, exit 2', async () => {
  const err = await refusal(ZONE);
  expect(err).toBeInstanceOf(HostedZoneAccessDeniedError);
  expect(err).toMatchObject({
    code: 'HostedZoneAccessDenied',
    refusal: true,
    outcome: 'refused',
    message: `domain.existingHostedZoneId ${ZONE}: these credentials may not read the zone (route53:GetHostedZone is denied), so the domain's delegation to it cannot be checked; nothing was changed`,
    hint: `allow route53:GetHostedZone on arn:aws:route53:::hostedzone/${ZONE} to the identity that deploys (or deploy with credentials that have it), then run the same command again`,
  });
  expect((err as Error).cause).toMatchObject({ name: 'AccessDenied' });
  const shown = CliError.from(err);
  expect(shown.exitCode).toBe(ExitCode.Refused);
  expect(shown.exitCode).toBe(2);
});

test('a zone id written with its /hostedzone/ prefix names the same resource in the hint', async () => {
  const err = await refusal(`/hostedzone/${ZONE}`);
  expect((err as HostedZoneAccessDeniedError).hint).toContain(`arn:aws:route53:::hostedzone/${ZONE} `);
});

test('any other Route 53 failure is left as it is (not called a permission problem)', async () => {
  const { clients } = answering(
    500,
    `<?xml version="1.0"?><ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>boom</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
  );
  try {
    await expect(hostedZoneNameServers(clients, ZONE, 'example.com')).rejects.not.toBeInstanceOf(
      HostedZoneAccessDeniedError,
    );
  } finally {
    clients.destroy();
  }
});
