/**
 * The params file's type is derived from the catalogue rows: each row's section or list shows in
 * it with its structural fields typed. The type check of `npm test` (tsc over test/) checks this
 * file: an unused `@ts-expect-error` fails it. The value below is also parsed by the schema.
 */
import { paramsSchema, type ParamsFile, type ParamsInput } from '../../stages/params';

const written: ParamsInput = {
  environment: 'dev',
  prefix: 'x-',
  region: 'eu-west-1',
  tags: { contactEmail: 'ops@example.com' },
  network: { natGateways: 'single' },
  ecsCluster: {},
  repositories: [{ name: 'acme-web' }],
  apps: [
    {
      name: 'acme',
      service: { repositoryName: 'acme-web', links: [{ name: 'db' }], environment: { PORT: 8080 } },
      data: [{ kind: 'postgres', name: 'db' }],
      extras: [{ suffix: 'api', pathPrefix: '/api', publicImage: 'nginx:1.27', links: [] }],
    },
  ],
};

test('a file typed by the rows parses, and what comes out is typed the same way', () => {
  const parsed: ParamsFile = paramsSchema().parse(written);
  const app = parsed.apps![0]!;
  const env: Record<string, string> | undefined = app.service?.environment;
  expect(env).toEqual({ PORT: '8080' });
  expect(app.data?.map((d) => [d.kind, d.name])).toEqual([['postgres', 'db']]);
  expect(parsed.repositories?.[0]?.name).toBe('acme-web');
});

test('the compiler refuses what the rows do not allow', () => {
  // @ts-expect-error a data store's kind is one of the data rows' keys
  const kind: NonNullable<NonNullable<ParamsInput['apps']>[number]['data']>[number]['kind'] = 'mysql';
  // @ts-expect-error an extra service is named by its suffix
  const extra: NonNullable<NonNullable<ParamsInput['apps']>[number]['extras']>[number] = { name: 'api' };
  // @ts-expect-error a repository is named
  const repository: NonNullable<ParamsInput['repositories']>[number] = { imageTagMutability: 'IMMUTABLE' };
  expect([kind, extra, repository]).toHaveLength(3);
});
