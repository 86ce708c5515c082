/**
 * Errors of the operate commands' lookups (logs, exec, tunnel, config, release): what they reach
 * is not named right, not deployed yet, or not there; and of their input (a configuration
 * document, a `config set` argument). Every one is a refusal (nothing was changed; exit 2) with a
 * hint saying what to name, deploy or write. Typed as src/errors.ts says.
 */
import { ToolError, type Outcome } from '../errors';

/** Every condition the operate lookups report by throwing. */
export type OpsErrorCode =
  /** A flag names no app, extra service, data store or version of the params file (or is missing or malformed). */
  | 'UnknownTarget'
  /** The stack, output, repository, secret or log group the command needs is not deployed (or not usable yet). */
  | 'NotDeployed'
  /** The image tag to release is not in the service's ECR repository. */
  | 'ImageTagMissing'
  /** The configuration secret changed under the command (another writer); nothing was written. */
  | 'SecretChanged'
  /** AWS's Session Manager plugin is not on PATH. */
  | 'PluginMissing'
  /** A configuration document (the secret, an edited file, a version to restore) is not a JSON object. */
  | 'NotAJsonObject'
  /** A `config set` argument is not KEY=VALUE / KEY:=JSON, or a key is both set and unset. */
  | 'BadAssignment';

/** See the file comment. */
export class OpsError extends ToolError<OpsErrorCode> {
  override get outcome(): Outcome {
    return 'refused';
  }
}
