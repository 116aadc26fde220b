/** Preloaded into the node-bridge child when AWS_CALL_RECORD_DIR is set: the whole process is the bridge. */
import { installAwsCallRecorder } from './aws-call-recorder';

if (process.env.AWS_CALL_RECORD_DIR) installAwsCallRecorder(process.env.AWS_CALL_RECORD_DIR, 'node-bridge');
