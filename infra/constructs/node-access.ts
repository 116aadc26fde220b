import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';

/**
 * How the deployment reaches its Lightning nodes: their addresses and their
 * credentials. The secrets are created by the operator before deploying (docs/DEPLOY.md) and
 * referenced by name, so their values never pass through CloudFormation. The API functions
 * read theirs at run time (by ARN); the bridge gets its own injected by ECS at start.
 */
export interface NodeCredentials {
  /** Environment of every API function (only those that talk to the node read it). */
  readonly apiEnvironment: Record<string, string>;
  /** Lets an API function that creates, looks up or cancels invoices read its credentials. */
  grantApiRead(grantee: IGrantable): void;
  readonly bridgeEnvironment: Record<string, string>;
  readonly bridgeSecrets: Record<string, ecs.Secret>;
}
