import { App } from 'aws-cdk-lib';
import { discoverApiRoutes } from './api-routes';
import { parseStackConfig } from './config';
import { LightningPaymentsStack } from './stack';
import { applyNagPacks, applyNagSuppressions } from './nag-suppressions';

const app = new App();
const config = parseStackConfig(app.node.getAllContext());
const stack = new LightningPaymentsStack(app, `LightningPayments-${config.stage}`, {
  config,
  apiRoutes: await discoverApiRoutes(),
  description: 'Lightning payment processor: API, ledger, payment pipeline, webhooks, node-bridge',
});
applyNagSuppressions(stack);
// AwsSolutions, NIST 800-53 R5, HIPAA, PCI DSS 3.2.1 and Serverless. An error not suppressed
// (with its reason) in nag-suppressions.ts fails the synth; test/infra/nag.test.ts fails on warnings too.
applyNagPacks(app, { verbose: true });
app.synth();
