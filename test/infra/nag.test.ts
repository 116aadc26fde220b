import { Annotations, Match } from 'aws-cdk-lib/assertions';
import type { SynthesisMessage } from 'aws-cdk-lib/cx-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { discoverApiRoutes } from '../../infra/api-routes';
import { parseStackConfig } from '../../infra/config';
import { applyNagPacks, applyNagSuppressions, NAG_SUPPRESSIONS, type StackNagSuppression } from '../../infra/nag-suppressions';
import { LightningPaymentsStack } from '../../infra/stack';
import { NO_BUNDLING, testApp } from './support/synth';

/**
 * Deliver 4 of issue 14: the synthesized template passes cdk-nag's AwsSolutions, NIST 800-53 R5,
 * HIPAA Security, PCI DSS 3.2.1 and Serverless packs, every remaining finding suppressed with
 * its reason (infra/nag-suppressions.ts, and beside the constructs whose options decide it).
 */
interface Finding {
  /** `NIST.800.53.R5-LambdaInsideVPC`, or `AwsSolutions-IAM5[Resource::...]` for a finding per statement. */
  readonly rule: string;
  /** Construct path of the resource, without the leading slash. */
  readonly path: string;
  readonly level: 'error' | 'warning';
}

/** Synthesizes the stack as `cdk synth` does (esbuild skipped: cdk-synth.test.ts bundles for real) with all five packs. */
async function nagFindings(context: Record<string, unknown>, options: { suppress: boolean }) {
  const app = testApp({ context: NO_BUNDLING });
  const stack = new LightningPaymentsStack(app, 'Test', { config: parseStackConfig(context), apiRoutes: await discoverApiRoutes() });
  const applied = options.suppress ? applyNagSuppressions(stack) : new Map<StackNagSuppression, string[]>();
  applyNagPacks(app);
  const annotations = Annotations.fromStack(stack);
  const read = (level: Finding['level']) => (entry: SynthesisMessage): Finding => ({
    rule: String(entry.entry.data).split(': ')[0]!,
    path: entry.id.replace(/^\//, ''),
    level,
  });
  const findings = [
    ...annotations.findError('*', Match.anyValue()).map(read('error')),
    ...annotations.findWarning('*', Match.anyValue()).map(read('warning')),
  ];
  return { findings, applied };
}

const lines = (findings: readonly Finding[]) => findings.map((finding) => `${finding.level} ${finding.rule} ${finding.path}`);

describe('cdk-nag: AwsSolutions, NIST 800-53 R5, HIPAA, PCI DSS 3.2.1, Serverless', () => {
  // What `npx cdk synth` builds: stage dev, fixed node egress.
  const defaults = { network: 'regtest', lndGrpcHost: 'lnd.internal:10009' };
  let applied: Map<StackNagSuppression, string[]>;

  describe('with the suppressions', () => {
    let findings: Finding[];
    beforeAll(async () => {
      ({ findings, applied } = await nagFindings(defaults, { suppress: true }));
    }, 240_000);

    it('leaves no error and no warning in the default deployment', () => {
      expect(lines(findings)).toEqual([]);
    });

    it('leaves none in a production deployment with nodeEgress public either', async () => {
      const other = await nagFindings({ ...defaults, stage: 'prod', nodeEgress: 'public' }, { suppress: true });
      expect(lines(other.findings)).toEqual([]);
    }, 240_000);

    it('attaches every resource-scoped suppression to at least one resource, and gives each a reason', () => {
      for (const suppression of NAG_SUPPRESSIONS) {
        expect(suppression.reason.length, suppression.ids.join(', ')).toBeGreaterThan(60);
        if (suppression.resources) expect(applied.get(suppression), `${suppression.ids.join(', ')}: matches no resource`).not.toEqual([]);
      }
    });
  });

  describe('without the stack suppressions (the check can fail)', () => {
    let raw: Finding[];
    beforeAll(async () => {
      ({ findings: raw } = await nagFindings(defaults, { suppress: false }));
    }, 240_000);

    it('reports every rule each suppression covers, on the resources it covers: none is stale, and removing one leaves findings', () => {
      const unneeded: string[] = [];
      for (const suppression of NAG_SUPPRESSIONS) {
        const paths = applied.get(suppression)!;
        for (const id of suppression.ids) {
          const rules = suppression.appliesTo ? suppression.appliesTo.map((target) => `${id}[${typeof target === 'string' ? target : target.regex}]`) : [id];
          for (const rule of rules) {
            const matching = raw.filter((finding) => (finding.rule === rule || (!suppression.appliesTo && finding.rule.startsWith(`${id}[`))) && (paths[0] === '*' || paths.includes(finding.path)));
            if (matching.length === 0) unneeded.push(`${rule} (${suppression.reason.slice(0, 50)}...)`);
          }
        }
      }
      expect(unneeded).toEqual([]);
    });

    it('reports, for instance, the functions outside the VPC and the dead-letter queues without a redrive policy', () => {
      const inVpcRule = raw.filter((finding) => finding.rule === 'NIST.800.53.R5-LambdaInsideVPC').map((finding) => finding.path);
      expect(inVpcRule).toContain('Test/Pipeline/Outbox/Function/Resource');
      expect(inVpcRule).not.toContain('Test/Api/POSTV1Invoices/Function/Resource');
      const redrive = raw.filter((finding) => finding.rule === 'Serverless-SQSRedrivePolicy').map((finding) => finding.path);
      expect(redrive).toContain('Test/Pipeline/PayoutQueue/DeadLetterQueue/Resource');
      expect(redrive).not.toContain('Test/Pipeline/PayoutQueue/Queue/Resource');
    });
  });
});
