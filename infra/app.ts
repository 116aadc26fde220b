import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { discoverApiRoutes } from './api-routes';
import { parseStackConfig } from './config';
import { LightningPaymentsStack } from './stack';
import { applyNagSuppressions } from './nag-suppressions';

const app = new App();
const config = parseStackConfig(app.node.getAllContext());
const stack = new LightningPaymentsStack(app, `LightningPayments-${config.stage}`, {
  config,
  apiRoutes: await discoverApiRoutes(),
  description: 'Lightning payment processor: API, ledger, payment pipeline, webhooks, node-bridge',
});
applyNagSuppressions(stack);
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
app.synth();
