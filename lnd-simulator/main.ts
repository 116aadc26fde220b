import { z } from 'zod';
import { DEFAULT_CONTROL_PORT, DEFAULT_GRPC_PORT, startLndSimulator } from './start-simulator';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);
const envSchema = z.object({
  LNSIM_GRPC_PORT: port(DEFAULT_GRPC_PORT),
  LNSIM_CONTROL_PORT: port(DEFAULT_CONTROL_PORT),
  DATA_DIR: z.string().min(1).default('.data'),
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
  });
  console.log(
    JSON.stringify({
      msg: 'lnd-simulator ready',
      grpc: simulator.grpcAddress,
      control: `http://${simulator.host}:${simulator.controlPort}`,
      pubkey: simulator.pubkey,
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
