import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { parseStackConfig } from '../../infra/config';
import { PROD_CONTEXT, synthesize, type SynthesizedStack } from './support/synth';

/** The platform the bridge's image is built for, from the assembly's asset manifest. */
function bridgeImagePlatform({ app }: SynthesizedStack): string | undefined {
  const manifest = readdirSync(app.outdir).find((file) => file.endsWith('.assets.json'))!;
  const { dockerImages } = JSON.parse(readFileSync(path.join(app.outdir, manifest), 'utf8')) as { dockerImages: Record<string, { source: { dockerFile?: string; platform?: string } }> };
  return Object.values(dockerImages).find((image) => image.source.dockerFile?.includes('node-bridge'))?.source.platform;
}

describe('what an idle month pays for: the dashboard and the bridge capacity are choices', () => {
  it('by default: no dashboard; the bridge on Fargate arm64, its image built for linux/arm64 whatever machine deploys', async () => {
    const synthesized = await synthesize(PROD_CONTEXT);
    const { template } = synthesized;
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'ARM64' } });
    template.hasResourceProperties('AWS::ECS::Service', { LaunchType: 'FARGATE', CapacityProviderStrategy: Match.absent() });
    expect(bridgeImagePlatform(synthesized)).toBe('linux/arm64');
  }, 60_000);

  it('dashboard=true adds the dashboard; bridgeCapacity=fargate-spot runs the bridge on Fargate Spot, x86_64 (all Spot offers), the image built to match', async () => {
    const synthesized = await synthesize({ ...PROD_CONTEXT, dashboard: 'true', bridgeCapacity: 'fargate-spot' });
    const { template } = synthesized;
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'X86_64' } });
    template.hasResourceProperties('AWS::ECS::Service', { CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }], LaunchType: Match.absent() });
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', { CapacityProviders: Match.arrayWith(['FARGATE_SPOT']) });
    // Spot's notice is two minutes: the bridge is given far less to drain.
    const [task] = Object.values(template.findResources('AWS::ECS::TaskDefinition')) as Array<{ Properties: { ContainerDefinitions: Array<{ StopTimeout: number }> } }>;
    expect(task!.Properties.ContainerDefinitions[0]!.StopTimeout).toBeLessThan(120);
    expect(bridgeImagePlatform(synthesized)).toBe('linux/amd64');
  }, 60_000);

  it('reads the settings as cdk.json and the command line give them, and names a wrong one', () => {
    expect(parseStackConfig({ dashboard: true }).dashboard).toBe(true);
    expect(parseStackConfig({ dashboard: 'false' }).dashboard).toBe(false);
    expect(() => parseStackConfig({ dashboard: 'yes' })).toThrow(/Bad CDK context 'dashboard'/);
    expect(() => parseStackConfig({ bridgeCapacity: 'spot' })).toThrow(/Bad CDK context 'bridgeCapacity'/);
  });
});
