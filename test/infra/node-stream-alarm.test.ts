import { readFileSync } from 'node:fs';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeStreamLines } from '../../node-bridge/src/node-stream-report';
import { synthesizedStack } from './support/synth';

type Alarm = { Properties: Record<string, any> };

/** The metric the bridge's heartbeat line about all its streams declares, as CloudWatch extracts it. */
function summaryMetricOfTheBridge(): { namespace: string; name: string; dimensions: string[] } {
  const lines = nodeStreamLines([{ nodeId: 'a', connected: false, lastActivityMs: 0 }], 60_000);
  const summary = lines.find((line) => !('node' in line))! as { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } };
  const [declared] = summary._aws.CloudWatchMetrics;
  return { namespace: declared!.Namespace, name: declared!.Metrics[0]!.Name, dimensions: declared!.Dimensions[0]! };
}

describe('the NodeStreamDown alarm', () => {
  let template: Template;
  let alarms: Record<string, Alarm>;

  beforeAll(async () => {
    ({ template } = await synthesizedStack());
    alarms = template.findResources('AWS::CloudWatch::Alarm') as Record<string, Alarm>;
  }, 120_000);

  const alarmNamed = (runbookEntry: string) => Object.values(alarms).find((alarm) => String(alarm.Properties.AlarmDescription).includes(`docs/RUNBOOK.md#${runbookEntry}`));

  it("reads the bridge's own EMF metric of streams down, with the dimensions the bridge declares (none)", () => {
    const metric = summaryMetricOfTheBridge();
    const alarm = alarmNamed('nodestreamdown');
    expect(alarm, 'an alarm linking docs/RUNBOOK.md#nodestreamdown').toBeDefined();
    expect(alarm!.Properties).toMatchObject({ Namespace: metric.namespace, MetricName: metric.name, Statistic: 'Maximum', Period: 300 });
    // CloudWatch matches dimensions exactly: an alarm with any would never see the bridge's data points.
    expect(metric.dimensions).toEqual([]);
    expect(alarm!.Properties.Dimensions ?? []).toEqual([]);
  });

  it('fires when a node was down in 2 of 2 five-minute periods, and not on missing data', () => {
    expect(alarmNamed('nodestreamdown')!.Properties).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
    });
  });

  it('leaves a silent bridge to BridgeHeartbeatMissing, which treats missing data as breaching', () => {
    expect(alarmNamed('bridgeheartbeatmissing')!.Properties).toMatchObject({ TreatMissingData: 'breaching' });
  });

  it("goes to the stack's one alarm topic like the others", () => {
    const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
    expect(topics).toHaveLength(1);
    expect(alarmNamed('nodestreamdown')!.Properties.AlarmActions).toEqual([{ Ref: topics[0] }]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'NodeStreamsDown', AlarmActions: [Match.objectLike({ Ref: topics[0] })] });
  });

  it('has a runbook entry that sends the operator to "Node down"', () => {
    const runbook = readFileSync('docs/RUNBOOK.md', 'utf8');
    const entry = runbook.slice(runbook.indexOf('\n## nodestreamdown\n'), runbook.indexOf('\n## ', runbook.indexOf('\n## nodestreamdown\n') + 1));
    expect(entry).toContain('"Node down"');
    expect(runbook).toMatch(/\n## Node down\n[\s\S]*nodestreamdown/);
  });
});
