/** vitest setupFiles of the infra tests: after each file, remove the cloud assemblies its Apps wrote. */
import { afterAll } from 'vitest';
import { removeTestOutdirs } from './synth';

afterAll(() => removeTestOutdirs());
