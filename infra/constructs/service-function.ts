import { AssetHashType, DockerImage, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import path from 'node:path';
import { LocalEsbuildBundling } from './lambda-bundle';
import type { NodePlacement } from './network';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface ServiceFunctionProps {
  /** The handler file, relative to the repository root, exporting `handler`. */
  readonly entry: string;
  readonly environment?: Record<string, string>;
  /** @default 10 seconds */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default one month */
  readonly logRetention?: logs.RetentionDays;
  /** Concurrency reserved for (and capped at) this function. @default unreserved */
  readonly reservedConcurrency?: number;
  /** Run inside this VPC (the node-facing functions, to leave through the network's fixed egress). @default no VPC */
  readonly placement?: NodePlacement;
}

/**
 * Every Lambda of the service is built the same way: Node 22 on arm64, bundled in process by
 * the local esbuild (never Docker; settings in lambda-bundle.ts), its own log group with a retention.
 */
export class ServiceFunction extends Construct {
  public readonly function: lambda.Function;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const entry = path.join(REPO_ROOT, props.entry);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.function = new lambda.Function(this, 'Function', {
      code: lambda.Code.fromAsset(path.dirname(entry), {
        // The bundle is the asset: its hash changes when, and only when, the bundle does.
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          local: new LocalEsbuildBundling(entry),
          // Never used: local bundling always succeeds or fails the synth.
          image: DockerImage.fromRegistry('local-esbuild-only'),
        },
      }),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      logGroup: this.logGroup,
      reservedConcurrentExecutions: props.reservedConcurrency,
      ...props.placement,
    });
  }
}
