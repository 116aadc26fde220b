import { z } from 'zod';
import { DEFAULT_CLN_CONTROL_PORT, DEFAULT_CLN_GRPC_PORT, startClnSimulator } from './start-simulator';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);
const envSchema = z.object({
  CLNSIM_GRPC_PORT: port(DEFAULT_CLN_GRPC_PORT),
  CLNSIM_CONTROL_PORT: port(DEFAULT_CLN_CONTROL_PORT),
  DATA_DIR: z.string().min(1).default('.data'),
  // The other simulators of one stack, by control URL, comma-separated; they share the outside peer's key file.
  CLNSIM_SIBLINGS: z
    .string()
    .default('')
    .transform((list) => list.split(',').map((url) => url.trim()).filter((url) => url !== ''))
    .pipe(z.array(z.url({ protocol: /^https?$/, message: 'must be control URLs such as http://127.0.0.1:9738, comma-separated' }))),
  CLNSIM_OUTSIDE_PEER_KEY_PATH: z.string().min(1).optional(),
});

async function main(): Promise<void> {
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    console.error(`cln-simulator: bad configuration: ${issue?.path.join('.')} ${issue?.message}`);
    process.exit(1);
  }
  const env = parsed.data;
  const simulator = await startClnSimulator({
    dataDir: env.DATA_DIR,
    grpcPort: env.CLNSIM_GRPC_PORT,
    controlPort: env.CLNSIM_CONTROL_PORT,
    siblingControlUrls: env.CLNSIM_SIBLINGS,
    ...(env.CLNSIM_OUTSIDE_PEER_KEY_PATH ? { outsidePeerKeyPath: env.CLNSIM_OUTSIDE_PEER_KEY_PATH } : {}),
  });
  console.log(
    JSON.stringify({
      msg: 'cln-simulator ready',
      grpc: simulator.grpcAddress,
      control: `http://${simulator.host}:${simulator.controlPort}`,
      pubkey: simulator.pubkey,
      siblings: env.CLNSIM_SIBLINGS,
      ca_cert: simulator.caCertPath,
      client_cert: simulator.clientCertPath,
      client_key: simulator.clientKeyPath,
    }),
  );
  const shutdown = (signal: string): void => {
    console.log(JSON.stringify({ msg: 'cln-simulator stopping', signal }));
    simulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('cln-simulator: error while stopping', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('cln-simulator: failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
