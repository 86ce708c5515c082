/**
 * Rules every catalogue template keeps, whoever wrote it: golden files (published/ is the
 * snapshot), console metadata, standard parameters, tags on every taggable resource, encryption,
 * no IAM wildcards where a narrower resource exists, and exports named by their contracts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderTemplate } from '../../templates/kit/cf';
import { exportNamePattern, type ExportContract } from '../../templates/kit/exports';
import { catalogueVersion } from '../../src/synth';
import { allTemplates, iamStatements, ofType, resourceSchema, root } from '../helpers/templates';

const templates = allTemplates();
const publishedDir = path.join(root, 'published', catalogueVersion());

describe.each(templates.map((t) => [t.id, t] as const))('%s', (id, { built, json }) => {
  test('matches its published golden file (run `provision synth` after changing a builder)', () => {
    const file = path.join(publishedDir, `${id}.cf`);
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toEqual(renderTemplate(built.template));
  });

  test('every parameter has a description, a console label and a group', () => {
    const iface = json.Metadata['AWS::CloudFormation::Interface'];
    const grouped = iface.ParameterGroups.flatMap((g: any) => g.Parameters);
    for (const [name, p] of Object.entries<any>(json.Parameters)) {
      expect({ name, description: typeof p.Description === 'string' && p.Description.length > 10 }).toEqual({
        name,
        description: true,
      });
      expect(iface.ParameterLabels[name]?.default).toBeTruthy();
      expect(grouped).toContain(name);
    }
    expect(json.Metadata['cfn-stages'].StackName).toMatch(/^(\{Prefix\}\{EnvironmentName\}-|ecr-\{RepositoryName\})/);
  });

  test('standard parameters validate their values', () => {
    const std = built.scope === 'project' ? ['RepositoryName'] : ['Prefix', 'EnvironmentName'];
    for (const name of std) {
      expect(json.Parameters[name].AllowedPattern).toBeTruthy();
      expect(json.Parameters[name].ConstraintDescription).toBeTruthy();
    }
  });

  test('every taggable resource carries the standard tags', () => {
    for (const [rid, r] of Object.entries(json.Resources)) {
      const schema = resourceSchema(r.Type);
      const taggable = schema && schema.properties?.Tags && schema.tagging?.taggable !== false;
      if (!taggable) continue;
      const tags = r.Properties?.Tags;
      const keys: string[] = Array.isArray(tags) ? tags.map((t: any) => t.Key) : Object.keys(tags ?? {});
      expect({ resource: rid, keys }).toEqual({
        resource: rid,
        keys: expect.arrayContaining(['cfn-stages:template', 'ContactEmail', 'CostCode']),
      });
    }
  });

  test('log groups and KMS keys are encrypted / rotated; volumes are encrypted', () => {
    for (const [rid, r] of ofType(json, 'AWS::Logs::LogGroup')) {
      expect({ rid, kms: Boolean(r.Properties.KmsKeyId), retention: Boolean(r.Properties.RetentionInDays) }).toEqual({
        rid,
        kms: true,
        retention: true,
      });
    }
    for (const [rid, r] of ofType(json, 'AWS::KMS::Key')) {
      expect({ rid, rotation: r.Properties.EnableKeyRotation }).toEqual({ rid, rotation: true });
      // Kept with data that outlives the stack, or scheduled for deletion with it (7 days pending).
      expect({ rid, policy: r.DeletionPolicy, window: r.Properties.PendingWindowInDays }).toEqual({
        rid,
        policy: expect.stringMatching(/^(RetainExceptOnCreate|Delete)$/),
        window: 7,
      });
    }
    const devices = [
      ...ofType(json, 'AWS::EC2::LaunchTemplate').flatMap(([rid, r]) =>
        (r.Properties.LaunchTemplateData.BlockDeviceMappings ?? []).map((b: any) => [rid, b]),
      ),
      ...ofType(json, 'AWS::EC2::Instance').flatMap(([rid, r]) =>
        (r.Properties.BlockDeviceMappings ?? []).map((b: any) => [rid, b]),
      ),
    ];
    for (const [rid, b] of devices) expect({ rid, encrypted: b.Ebs?.Encrypted }).toEqual({ rid, encrypted: true });
  });

  test('IAM policies never pair a wildcard action with Resource "*"', () => {
    for (const { where, statement } of iamStatements(json)) {
      const actions: string[] = [].concat(statement.Action ?? []);
      const resources: unknown[] = [].concat(statement.Resource ?? []);
      const wildcardAction = actions.some((a) => a === '*' || a.endsWith(':*'));
      const anyResource = resources.includes('*');
      expect({ where, actions, wildcardOnStar: wildcardAction && anyResource }).toEqual({
        where,
        actions,
        wildcardOnStar: false,
      });
    }
  });

  test('exports are named by their contracts', () => {
    for (const c of built.exports) {
      const out = Object.values<any>(json.Outputs ?? {}).find(
        (o) => o.Export && o.Export.Name['Fn::Sub'] === exportNamePattern(c),
      );
      expect({ key: c.key, found: Boolean(out) }).toEqual({ key: c.key, found: true });
    }
  });

  test('checkov skips each carry a reason a reviewer can judge', () => {
    for (const [rid, r] of Object.entries(json.Resources)) {
      for (const s of r.Metadata?.checkov?.skip ?? []) {
        expect({ rid, id: s.id, reasoned: typeof s.comment === 'string' && s.comment.length >= 30 }).toEqual({
          rid,
          id: s.id,
          reasoned: true,
        });
      }
    }
  });
});

test('no two templates export the same name', () => {
  const names = templates.flatMap((t) => t.built.exports.map((c) => exportNamePattern(c)));
  expect(new Set(names).size).toBe(names.length);
});

test('every contract is exported by exactly one template, and every import by one of the catalogue', () => {
  const producers = (c: ExportContract) => templates.filter((t) => t.built.exports.includes(c)).map((t) => t.id);
  for (const t of templates) {
    for (const c of t.built.exports)
      expect({ key: c.key, producers: producers(c) }).toEqual({ key: c.key, producers: [t.id] });
    for (const i of t.built.imports) {
      expect({ consumer: t.id, key: i.contract.key, producers: producers(i.contract).length }).toEqual({
        consumer: t.id,
        key: i.contract.key,
        producers: 1,
      });
    }
  }
});
