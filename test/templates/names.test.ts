/**
 * Every name is made by one function and parsed back by its inverse, for every template of the
 * catalogue and every export contract they make: the environment id, stack names, export names.
 * Discovery of an existing environment reads names with these parsers, so a rule changed on one
 * side only fails here.
 */
import { catalogue, publishedTemplate } from '../../stages/catalogue';
import { exportName, exportNamePattern, parseExportName } from '../../templates/kit/exports';
import {
  environmentId,
  parseEnvironmentId,
  parseStackName,
  scopePrefix,
  stackName,
  stackNamePattern,
} from '../../templates/kit/names';

/** Values for every standard name parameter, hyphens inside the app name to make splitting matter. */
const VALUES = {
  Prefix: 'x-',
  EnvironmentName: 'dev',
  ApplicationName: 'acme-web',
  RepositoryName: 'acme.web-app',
  Suffix: 'api2',
  DataName: 'main',
};

test('the environment id is the prefix then the name, and parses back', () => {
  expect(environmentId({ prefix: 'x-', environment: 'dev' })).toBe('x-dev');
  expect(parseEnvironmentId('ab-prod1')).toEqual({ prefix: 'ab-', environment: 'prod1' });
  expect(parseEnvironmentId('x-dev-acme')).toBeUndefined();
  expect(parseEnvironmentId('dev')).toBeUndefined();
});

test('one scope-prefix rule for stack names, export names and Name tags', () => {
  expect(scopePrefix('environment')).toBe('${Prefix}${EnvironmentName}');
  expect(scopePrefix('application')).toBe('${Prefix}${EnvironmentName}-${ApplicationName}');
  expect(scopePrefix('project')).toBe('ecr-${RepositoryName}');
  for (const row of catalogue) {
    const built = publishedTemplate(row);
    expect(built.stackNamePattern.startsWith(scopePrefix(row.template.scope))).toBe(true);
    for (const c of built.exports) expect(exportNamePattern(c).startsWith(`${scopePrefix(c.scope)}-`)).toBe(true);
  }
});

describe.each(catalogue.map((r) => [r.templateId, r] as const))('%s', (_id, row) => {
  test('its stack name parses back to the values it was made from', () => {
    const name = stackName(row.template, VALUES);
    expect(stackNamePattern(row.template)).toBe(publishedTemplate(row).stackNamePattern);
    const used = Object.fromEntries(
      Object.entries(VALUES).filter(([k]) => stackNamePattern(row.template).includes(`\${${k}}`)),
    );
    expect(parseStackName(row.template, name)).toEqual(used);
    // Another environment's stack is not this one's (a project stack belongs to no environment).
    const other = parseStackName(row.template, name, { Prefix: 'x-', EnvironmentName: 'prod' });
    expect(other).toEqual(row.template.scope === 'project' ? used : undefined);
  });

  test('each export name it makes parses back to the values it was made from', () => {
    for (const c of publishedTemplate(row).exports) {
      const ctx = {
        prefix: VALUES.Prefix,
        environment: VALUES.EnvironmentName,
        application: VALUES.ApplicationName,
        repository: VALUES.RepositoryName,
        ...(c.instanceParam ? { instance: VALUES.DataName } : {}),
      };
      const name = exportName(c, ctx);
      const parsed = parseExportName(c, name, { Prefix: 'x-', EnvironmentName: 'dev' });
      expect({ key: c.key, parsed }).toEqual({
        key: c.key,
        parsed: expect.objectContaining(c.instanceParam ? { [c.instanceParam]: VALUES.DataName } : {}),
      });
      if (c.scope === 'application') expect(parsed?.ApplicationName).toBe(VALUES.ApplicationName);
      if (c.scope === 'project') expect(parsed?.RepositoryName).toBe(VALUES.RepositoryName);
      expect(parseExportName(c, `${name}x`)).toBeUndefined();
    }
  });
});
