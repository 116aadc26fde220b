import { z } from 'zod';
import { DEFAULT_CONTROL_PORT, DEFAULT_GRPC_PORT, startLndSimulator } from './start-simulator';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);
const envSchema = z.object({
  LNSIM_GRPC_PORT: port(DEFAULT_GRPC_PORT),
  LNSIM_CONTROL_PORT: port(DEFAULT_CONTROL_PORT),
  DATA_DIR: z.string().min(1).default('.data'),
  // The other simulators of one stack, by control URL, comma-separated; they share the outside peer's key file.
  LNSIM_SIBLINGS: z
    .string()
    .default('')
    .transform((list) => list.split(',').map((url) => url.trim()).filter((url) => url !== ''))
    .pipe(z.array(z.url({ protocol: /^https?$/, message: 'must be control URLs such as http://127.0.0.1:9738, comma-separated' }))),
  LNSIM_OUTSIDE_PEER_KEY_PATH: z.string().min(1).optional(),
});

async function main(): Promise<void> {
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    console.error(`lnd-simulator: bad configuration: ${issue?.path.join('.')} ${issue?.message}`);
    process.exit(1);
  }
  const env = parsed.data;
  const simulator = await startLndSimulator({
    dataDir: env.DATA_DIR,
    grpcPort: env.LNSIM_GRPC_PORT,
    controlPort: env.LNSIM_CONTROL_PORT,
    siblingControlUrls: env.LNSIM_SIBLINGS,
    ...(env.LNSIM_OUTSIDE_PEER_KEY_PATH ? { outsidePeerKeyPath: env.LNSIM_OUTSIDE_PEER_KEY_PATH } : {}),
  });
  console.log(
    JSON.stringify({
      msg: 'lnd-simulator ready',
      grpc: simulator.grpcAddress,
      control: `http://${simulator.host}:${simulator.controlPort}`,
      pubkey: simulator.pubkey,
      siblings: env.LNSIM_SIBLINGS,
      tls_cert: simulator.tlsCertPath,
      admin_macaroon: simulator.adminMacaroonPath,
      invoice_macaroon: simulator.invoiceMacaroonPath,
      payment_macaroon: simulator.paymentMacaroonPath,
    }),
  );
  const shutdown = (signal: string): void => {
    console.log(JSON.stringify({ msg: 'lnd-simulator stopping', signal }));
    simulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('lnd-simulator: error while stopping', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('lnd-simulator: failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
