import { describe, expect, it } from 'vitest';
import { idleMonthOf, type IdleLine, type TemplateJson } from '../../bench/idle-month';
import { PROD_CONTEXT, synthesizedStack } from './support/synth';

const idleOf = async (context: Record<string, unknown>) => idleMonthOf((await synthesizedStack(context)).template.toJSON() as TemplateJson);
const line = (lines: IdleLine[], starts: string) => lines.find((each) => each.item.startsWith(starts));
const total = (lines: IdleLine[]) => lines.reduce((sum, each) => sum + each.usd, 0);

describe('the idle month, read from the synthesized template', () => {
  it('prices the default stack from what it holds: the arm64 task, the NAT instance and its address, three secrets, every alarm metric, no dashboard', async () => {
    const lines = await idleOf(PROD_CONTEXT);
    expect(line(lines, 'Fargate arm64, 0.25 vCPU + 0.5 GB')?.usd).toBeCloseTo(7.21, 2);
    expect(line(lines, 'NAT instance t4g.nano')?.usd).toBeCloseTo(3.71, 2);
    expect(line(lines, 'Public IPv4: 1 Elastic IP')?.usd).toBeCloseTo(3.65, 2);
    expect(line(lines, 'Secrets Manager, 3 secrets')?.item).toContain('lightning-payments/lnd-payment-macaroon');
    // One alarm per dead-letter queue, consumer, stream consumer and the operational ones: far more than the 11 the hand-kept table said.
    expect(Number(line(lines, 'CloudWatch alarms')?.quantity.split(' ')[0])).toBeGreaterThan(20);
    expect(line(lines, 'CloudWatch dashboard')).toBeUndefined();
    expect(line(lines, 'KMS keys')?.quantity).toBe('2');
  });

  it('follows the cheaper choices: Fargate Spot, no NAT (the task holds the one public address), and the dashboard when asked for', async () => {
    const cheaper = await idleOf({ ...PROD_CONTEXT, bridgeCapacity: 'fargate-spot', nodeEgress: 'public' });
    // x86 on demand less two thirds: under half the arm64 task's 7.21.
    expect(line(cheaper, 'Fargate Spot x86_64, 0.25 vCPU + 0.5 GB')?.usd).toBeLessThan(3.6);
    expect(line(cheaper, 'NAT instance')).toBeUndefined();
    expect(line(cheaper, "Public IPv4: the bridge task's public IPv4")?.usd).toBeCloseTo(3.65, 2);
    // The task's saving and the NAT instance's 3.71; the address stays (it moves to the task).
    expect(total(cheaper)).toBeLessThan(total(await idleOf(PROD_CONTEXT)) - 7.5);

    const withDashboard = await idleOf({ ...PROD_CONTEXT, dashboard: true });
    expect(line(withDashboard, 'CloudWatch dashboard')?.usd).toBe(3);
  }, 120_000);
});
