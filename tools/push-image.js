#!/usr/bin/env node
/**
 * Puts an image into an ECR repository under a tag through the ECR API, the way `docker push`
 * ends: an image manifest put under the tag (PutImage). For the local emulator, which has no
 * Docker registry to push layers to: `npm run demo` and the end-to-end tests use it so that a
 * service's image exists before its stack is deployed, exactly as after a user's push.
 *
 *   node tools/push-image.js REPOSITORY TAG
 *   node tools/push-image.js --params FILE      every ECR image the file's services run
 *
 * Endpoint, region and credentials come from the usual AWS_* environment variables.
 */
'use strict';

const { createHash } = require('node:crypto');

/** A minimal Docker image manifest (schema 2); its config digest differs per tag. */
function manifest(tag) {
  const digest = createHash('sha256').update(`cfn-stages image ${tag}`).digest('hex');
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1234, digest: `sha256:${digest}` },
    layers: [],
  });
}

/**
 * Puts `repository:tag`. `clientConfig` goes to the ECRClient (endpoint, region, credentials);
 * empty: the SDK's standard chain (AWS_ENDPOINT_URL, AWS_REGION...).
 */
async function pushImage(repository, tag, clientConfig = {}) {
  const { ECRClient, PutImageCommand } = require('@aws-sdk/client-ecr');
  const ecr = new ECRClient(clientConfig);
  try {
    const out = await ecr.send(
      new PutImageCommand({ repositoryName: repository, imageTag: tag, imageManifest: manifest(tag) }),
    );
    return out.image && out.image.imageId ? out.image.imageId.imageDigest : undefined;
  } finally {
    ecr.destroy();
  }
}

/** The distinct `{ repository, tag }` the services of a params file run (needs the built CLI). */
function imagesOf(file) {
  const path = require('node:path');
  const dist = path.join(__dirname, '..', 'dist');
  const { loadParams } = require(path.join(dist, 'src', 'params', 'load.js'));
  const { planEnvironment } = require(path.join(dist, 'stages', 'plan.js'));
  const { imageNeeds } = require(path.join(dist, 'src', 'ops', 'images.js'));
  const needs = imageNeeds(planEnvironment(loadParams(file)));
  return [
    ...new Map(needs.map((n) => [`${n.repository}:${n.tag}`, { repository: n.repository, tag: n.tag }])).values(),
  ];
}

module.exports = { pushImage, imagesOf };

if (require.main === module) {
  const args = process.argv.slice(2);
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const images =
    args[0] === '--params' && args[1]
      ? imagesOf(args[1])
      : args.length === 2
        ? [{ repository: args[0], tag: args[1] }]
        : undefined;
  if (!images) {
    process.stderr.write('usage: node tools/push-image.js REPOSITORY TAG | --params FILE\n');
    process.exit(2);
  }
  (async () => {
    for (const { repository, tag } of images)
      process.stdout.write(`pushed ${repository}:${tag} (${await pushImage(repository, tag)})\n`);
  })().then(
    () => undefined,
    (err) => {
      process.stderr.write(`push-image: ${err.name}: ${err.message}\n`);
      process.exit(1);
    },
  );
}
