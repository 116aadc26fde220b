/** vitest setupFiles: records the AWS calls of this test file's components when AWS_CALL_RECORD_DIR is set. */
import { installAwsCallRecorder } from './aws-call-recorder';

if (process.env.AWS_CALL_RECORD_DIR) installAwsCallRecorder(process.env.AWS_CALL_RECORD_DIR);
