/**
 * The AWS SDK clients are pinned exactly and share one runtime: one copy of `@aws-sdk/core` and of
 * every `@smithy/*` package in the lock file. Two copies would mean two retry strategies, two
 * credential caches and `instanceof` checks (the SDK's paginators use one) failing across them.
 *
 * AWS publishes a client only in the releases that change it, so the clients' own version numbers
 * differ (a client is at its newest release when the others move on); what must agree is the
 * runtime they are built on, which this test holds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string }>;
};

const clients = Object.entries(pkg.dependencies).filter(([name]) => name.startsWith('@aws-sdk/client-'));

it('pins every SDK client exactly, at the version the lock file installs', () => {
  expect(clients.length).toBeGreaterThan(10);
  for (const [name, range] of clients) {
    expect({ name, range }).toEqual({ name, range: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
    expect({ name, locked: lock.packages[`node_modules/${name}`]?.version }).toEqual({ name, locked: range });
  }
});

it('installs one copy of the SDK runtime (@aws-sdk/core and each @smithy package) for every client', () => {
  const copies = new Map<string, string[]>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    const name = /node_modules\/((?:@aws-sdk|@smithy)\/[^/]+)$/.exec(path)?.[1];
    if (name) copies.set(name, [...(copies.get(name) ?? []), entry.version ?? '?']);
  }
  expect(copies.get('@aws-sdk/core')).toHaveLength(1);
  expect(copies.get('@smithy/core')).toHaveLength(1);
  expect([...copies].filter(([, versions]) => versions.length > 1)).toEqual([]);
});
