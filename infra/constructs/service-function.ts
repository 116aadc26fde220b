import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import path from 'node:path';
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
  /** Ship LND's .proto files beside the bundle, for functions that talk to the node. @default false */
  readonly withLndProtos?: boolean;
  /** Run inside this VPC (the node-facing functions, to leave through the network's fixed egress). @default no VPC */
  readonly placement?: NodePlacement;
}

/**
 * Every Lambda of the service is built the same way: Node 22 on arm64, bundled by the local
 * esbuild (never Docker), minified with source maps, its own log group with a retention.
 */
export class ServiceFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(REPO_ROOT, props.entry),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      logGroup: this.logGroup,
      reservedConcurrentExecutions: props.reservedConcurrency,
      ...props.placement,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        target: 'node22',
        format: OutputFormat.ESM,
        // ESM bundles need a require() for the CommonJS dependencies they inline.
        banner: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
        // The AWS SDK v3 ships with the Lambda runtime.
        externalModules: ['@aws-sdk/*'],
        // The LND client loads LND's .proto files at run time, from proto/ beside the bundle.
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) => (props.withLndProtos ? [`cp -r "${inputDir}/proto" "${outputDir}/proto"`] : []),
        },
      },
    });
  }
}
