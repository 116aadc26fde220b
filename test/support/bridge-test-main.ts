/**
 * The local bridge (infra/local/bridge-main.ts) as a test run bundles it
 * (test/support/local-bridge-bundle.ts). The AWS call recorder lives in the same bundle:
 * a preload of its own would patch copies of the SDK client and the local stand-ins, not
 * the ones bundled here. It installs only when AWS_CALL_RECORD_DIR is set.
 */
import './aws-call-recorder-preload';

// Imported after the recorder is in place, whatever order a formatter gives the imports above.
await import('../../infra/local/bridge-main');
