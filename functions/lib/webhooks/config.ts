import * as z from 'zod';
import { parseEnv } from '../runtime/env';
import type { WebhookTargetPolicy } from './ssrf-guard';

/** The contract's limit: a 2xx within 15 s is success. */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 15_000;

const flag = (name: string) =>
  z
    .enum(['true', 'false', '1', '0'], { message: `${name} must be true or false` })
    .transform((value) => value === 'true' || value === '1')
    .optional();

const envSchema = z.object({
  WEBHOOK_ALLOW_HTTP: flag('WEBHOOK_ALLOW_HTTP'),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: flag('WEBHOOK_ALLOW_PRIVATE_TARGETS'),
  WEBHOOK_TIMEOUT_MS: z
    .string()
    .regex(/^\d+$/, 'WEBHOOK_TIMEOUT_MS must be a whole number of milliseconds')
    .transform(Number)
    .refine((value) => value >= 1 && value <= DEFAULT_DELIVERY_TIMEOUT_MS, `WEBHOOK_TIMEOUT_MS must be from 1 to ${DEFAULT_DELIVERY_TIMEOUT_MS}`)
    .optional(),
});

export interface WebhookSettings {
  policy: WebhookTargetPolicy;
  timeoutMs: number;
}

/**
 * The deployment's webhook settings. Production leaves them unset: https only, public
 * targets only, 15 s. The local stack sets WEBHOOK_ALLOW_HTTP and
 * WEBHOOK_ALLOW_PRIVATE_TARGETS so a receiver on 127.0.0.1 works.
 */
export function readWebhookSettings(env: NodeJS.ProcessEnv = process.env): WebhookSettings {
  const vars = parseEnv(envSchema, env);
  return {
    policy: {
      allowHttp: vars.WEBHOOK_ALLOW_HTTP ?? false,
      allowPrivateTargets: vars.WEBHOOK_ALLOW_PRIVATE_TARGETS ?? false,
    },
    timeoutMs: vars.WEBHOOK_TIMEOUT_MS ?? DEFAULT_DELIVERY_TIMEOUT_MS,
  };
}
