/**
 * Images in the emulator's ECR, put there the way a user's `docker push` ends (an image manifest
 * under the tag, through the ECR API): a service stack is only deployed once its image exists.
 * One implementation for the tests and `npm run demo` (tools/push-image.js).
 */
import * as path from 'node:path';
import { REPO_ROOT, type Emulator } from './emulator';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the demo's plain-JS tool, shared as is
const tool = require(path.join(REPO_ROOT, 'tools', 'push-image.js')) as {
  pushImage(repository: string, tag: string, clientConfig?: Emulator['clientConfig']): Promise<string | undefined>;
  imagesOf(file: string): { repository: string; tag: string }[];
};

/** Puts `repository:tag` into the emulator's ECR; resolves with the image digest. */
export function pushImage(emu: Emulator, repository: string, tag: string): Promise<string | undefined> {
  return tool.pushImage(repository, tag, emu.clientConfig);
}

/**
 * The first run of a params file whose services use images of repositories it creates: the
 * repositories first (`deploy --only repository`), then their images (by default every ECR image
 * the file's services run; none: nothing is done). `deploy` runs the CLI and resolves with its
 * exit code.
 */
export async function repositoriesWithImages(
  emu: Emulator,
  deploy: (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>,
  file: string,
  images: { repository: string; tag: string }[] = tool.imagesOf(path.resolve(REPO_ROOT, file)),
): Promise<void> {
  if (!images.length) return;
  const r = await deploy(['deploy', '--params', file, '--yes', '--only', 'repository']);
  if (r.code !== 0) throw new Error(`deploy --only repository exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  for (const i of images) await pushImage(emu, i.repository, i.tag);
}
