/**
 * The price table `npm run cost` uses: AWS list prices, us-east-1, as looked up in 2026-11
 * on each service's public pricing page (named per entry). Free tiers are left out: a
 * production account outgrows most of them, and the model should not depend on them.
 * Check the pages before relying on a figure; update `asOf` when you do.
 */
export const PRICES = {
  asOf: '2026-11',
  region: 'us-east-1',
  dynamodb: {
    source: 'Amazon DynamoDB pricing, on-demand capacity (aws.amazon.com/dynamodb/pricing/on-demand/)',
    perMillionWriteRequestUnits: 0.625,
    perMillionReadRequestUnits: 0.125,
    storagePerGbMonth: 0.25,
    pitrPerGbMonth: 0.2,
  },
  lambda: {
    source: 'AWS Lambda pricing, Arm (aws.amazon.com/lambda/pricing/)',
    perMillionRequests: 0.2,
    perGbSecondArm: 0.0000133334,
    /** Every function of the stack (infra/constructs/service-function.ts). */
    memoryGb: 0.25,
  },
  apiGateway: {
    source: 'Amazon API Gateway pricing, HTTP APIs, first 300 million requests a month (aws.amazon.com/api-gateway/pricing/)',
    perMillionHttpRequests: 1.0,
  },
  sqs: {
    source: 'Amazon SQS pricing, standard queue, per 64 KB chunk of a request (aws.amazon.com/sqs/pricing/)',
    perMillionRequests: 0.4,
  },
  eventbridge: {
    source: 'Amazon EventBridge pricing, event bus, custom events per 64 KB chunk; archive (aws.amazon.com/eventbridge/pricing/)',
    perMillionCustomEvents: 1.0,
    archivePerGbProcessed: 0.1,
  },
  cloudwatch: {
    source: 'Amazon CloudWatch pricing (aws.amazon.com/cloudwatch/pricing/)',
    logsIngestPerGb: 0.5,
    alarmPerMetricMonth: 0.1,
    customMetricMonth: 0.3,
    dashboardMonth: 3.0,
  },
  fargate: {
    source: 'AWS Fargate pricing, Linux/ARM and Linux/X86 (aws.amazon.com/fargate/pricing/)',
    perVcpuHour: 0.03238,
    perGbHour: 0.00356,
    x86PerVcpuHour: 0.04048,
    x86PerGbHour: 0.004445,
    /**
     * Fargate Spot (x86 only) as a share of x86 on demand. Spot prices move with supply; AWS
     * quotes "up to 70% off" and the published Spot rates have sat near 67% off, so 0.33.
     */
    spotShareOfX86: 0.33,
  },
  vpc: {
    source: 'Amazon VPC pricing, public IPv4 address (aws.amazon.com/vpc/pricing/)',
    publicIpv4PerHour: 0.005,
  },
  ec2: {
    source: 'Amazon EC2 on-demand pricing, t4g.nano Linux; EBS gp3 storage (aws.amazon.com/ec2/pricing/on-demand/, aws.amazon.com/ebs/pricing/)',
    t4gNanoPerHour: 0.0042,
    gp3PerGbMonth: 0.08,
  },
  secretsManager: {
    source: 'AWS Secrets Manager pricing (aws.amazon.com/secrets-manager/pricing/)',
    perSecretMonth: 0.4,
  },
  kms: {
    source: 'AWS KMS pricing, customer managed key (aws.amazon.com/kms/pricing/)',
    perKeyMonth: 1.0,
  },
  ecr: {
    source: 'Amazon ECR pricing, private repository storage (aws.amazon.com/ecr/pricing/)',
    storagePerGbMonth: 0.1,
  },
  dataTransfer: {
    source: 'Amazon EC2 pricing, data transfer out to the internet, first 10 TB (aws.amazon.com/ec2/pricing/on-demand/)',
    outPerGb: 0.09,
  },
} as const;

export const HOURS_PER_MONTH = 730;
