import * as z from 'zod';
import { LndClient, type LndClientOptions } from './client';

const lndConnectionEnvSchema = z.object({
  LND_GRPC_HOST: z.string().min(1, 'must be host:port of LND gRPC, e.g. 127.0.0.1:10009'),
  LND_TLS_CERT_PATH: z.string().min(1, "must be the path of the node's tls.cert"),
  LND_MACAROON_PATH: z.string().min(1, 'must be the path of a macaroon file'),
});

export interface LndConnectionEnv {
  host: string;
  tlsCertPath: string;
  macaroonPath: string;
}

/** Reads the LND_* variables, failing with one line that names every missing or bad one. */
export function readLndConnectionEnv(env: NodeJS.ProcessEnv = process.env): LndConnectionEnv {
  const parsed = lndConnectionEnvSchema.safeParse({
    LND_GRPC_HOST: env.LND_GRPC_HOST ?? '',
    LND_TLS_CERT_PATH: env.LND_TLS_CERT_PATH ?? '',
    LND_MACAROON_PATH: env.LND_MACAROON_PATH ?? '',
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new Error(`LND connection not configured: ${problems.join('; ')}`);
  }
  return {
    host: parsed.data.LND_GRPC_HOST,
    tlsCertPath: parsed.data.LND_TLS_CERT_PATH,
    macaroonPath: parsed.data.LND_MACAROON_PATH,
  };
}

export function lndClientFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  options: Omit<LndClientOptions, 'host' | 'tlsCert' | 'macaroon'> = {},
): LndClient {
  const { host, tlsCertPath, macaroonPath } = readLndConnectionEnv(env);
  return LndClient.fromFiles({ ...options, host, tlsCertPath, macaroonPath });
}
