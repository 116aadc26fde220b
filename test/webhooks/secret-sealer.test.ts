import { DecryptCommand, GenerateDataKeyCommand, InvalidCiphertextException, KMSClient, KMSInternalException } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { endpointSecretContext } from '../../functions/lib/webhooks/endpoint';
import { kmsSecretSealer, localMasterKeyFile, secretSealerFromEnv } from '../../functions/lib/webhooks/kms-sealer';
import { cachedOpener, localSecretSealer, SecretRefusedError, type EncryptionContext } from '../../functions/lib/webhooks/secret-sealer';
import { newWebhookSecret } from '../../functions/lib/webhooks/signing';

const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const context = endpointSecretContext({ merchantId: 'mch_a', endpointId: 'we_1' });

/** Flips one bit of one dot-separated part of a sealed value. */
function flipBit(sealed: string, part: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[bytes.length - 1]! ^= 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe('the local sealer (same envelope as with KMS)', () => {
  const sealer = localSecretSealer(randomBytes(32));

  it('seals to v1.<data key>.<iv>.<ciphertext>.<tag> with no trace of the plaintext, fresh each time, and opens it again', async () => {
    const secret = newWebhookSecret();
    const sealed = await sealer.seal(secret, context);
    expect(sealed).toMatch(/^v1(\.[A-Za-z0-9_-]+){4}$/);
    const raw = Buffer.from(secret.slice('whsec_'.length), 'base64');
    for (const trace of [secret, raw.toString('base64'), raw.toString('base64url'), raw.toString('hex'), 'whsec_']) expect(sealed).not.toContain(trace);
    expect(await sealer.seal(secret, context)).not.toBe(sealed);
    expect(await sealer.open(sealed, context)).toBe(secret);
    expect(await sealer.open(sealed, { endpoint_id: 'we_1', merchant_id: 'mch_a', purpose: 'webhook-signing-secret' })).toBe(secret);
  });

  it.each([
    ['the encrypted data key', 1],
    ['the iv', 2],
    ['the ciphertext', 3],
    ['the tag', 4],
  ])('refuses a value whose %s was tampered with', async (_what, part) => {
    const sealed = await sealer.seal(newWebhookSecret(), context);
    await expect(sealer.open(flipBit(sealed, part), context)).rejects.toBeInstanceOf(SecretRefusedError);
  });

  it.each<[string, EncryptionContext]>([
    ['another endpoint', endpointSecretContext({ merchantId: 'mch_a', endpointId: 'we_2' })],
    ['another merchant', endpointSecretContext({ merchantId: 'mch_b', endpointId: 'we_1' })],
    ['another purpose', { ...context, purpose: 'idempotent-response' }],
    ['an extra entry', { ...context, extra: 'x' }],
    ['no context', {}],
  ])('refuses a sealed secret presented with the context of %s (copied to another item)', async (_what, other) => {
    const sealed = await sealer.seal(newWebhookSecret(), context);
    await expect(sealer.open(sealed, other)).rejects.toBeInstanceOf(SecretRefusedError);
  });

  it('refuses values that are not sealed values, and values sealed under another master key', async () => {
    for (const bad of ['', 'whsec_abc', 'v2.a.b.c.d', 'v1.a.b.c', 'v1.a.b.c.d.e', 'v1.a+b.c.d.e']) {
      await expect(sealer.open(bad, context)).rejects.toBeInstanceOf(SecretRefusedError);
    }
    const other = localSecretSealer(randomBytes(32));
    await expect(sealer.open(await other.seal('whsec_x', context), context)).rejects.toBeInstanceOf(SecretRefusedError);
    // A data key swapped in from another sealed value does not open this ciphertext.
    const [a, b] = [await sealer.seal('whsec_a', context), await sealer.seal('whsec_b', context)];
    const swapped = [a.split('.')[0], b.split('.')[1], ...a.split('.').slice(2)].join('.');
    await expect(sealer.open(swapped, context)).rejects.toBeInstanceOf(SecretRefusedError);
  });

  it('is standard AES-256-GCM: the data key unwraps with the master key and decrypts the ciphertext', async () => {
    const master = randomBytes(32);
    const sealed = await localSecretSealer(master).seal('whsec_standard', context);
    const [, edk, iv, ciphertext, tag] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
    const aad = Buffer.from(JSON.stringify(Object.keys(context).sort().map((name) => [name, context[name]])));
    const unwrap = createDecipheriv('aes-256-gcm', master, edk!.subarray(0, 12));
    unwrap.setAAD(aad);
    unwrap.setAuthTag(edk!.subarray(44));
    const dataKey = Buffer.concat([unwrap.update(edk!.subarray(12, 44)), unwrap.final()]);
    const decipher = createDecipheriv('aes-256-gcm', dataKey, iv!);
    decipher.setAAD(aad);
    decipher.setAuthTag(tag!);
    expect(Buffer.concat([decipher.update(ciphertext!), decipher.final()]).toString()).toBe('whsec_standard');
  });
});

describe('the local master key file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sealer-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is made on first start with mode 0600 and 32 random bytes, and read again afterwards', () => {
    const file = path.join(dir, 'data', 'webhook-secrets.key');
    const key = localMasterKeyFile(file);
    expect(key).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(localMasterKeyFile(file).equals(key)).toBe(true);
    expect(readFileSync(file).equals(key)).toBe(true);
  });

  it('refuses a file that does not hold 32 bytes', () => {
    const file = path.join(dir, 'short.key');
    writeFileSync(file, 'too short', { mode: 0o600 });
    expect(() => localMasterKeyFile(file)).toThrow(/32 bytes/);
  });

  it('is what WEBHOOK_SECRETS_KEY_FILE names: a restart opens what the last run sealed', async () => {
    const env = { WEBHOOK_SECRETS_KEY_FILE: path.join(dir, 'env.key') };
    const sealed = await secretSealerFromEnv(env).seal('whsec_restart', context);
    expect(await secretSealerFromEnv(env).open(sealed, context)).toBe('whsec_restart');
  });
});

describe('the sealer from the environment', () => {
  it('refuses both keys at once, and a key ARN that is not one', () => {
    expect(() => secretSealerFromEnv({ WEBHOOK_SECRETS_KMS_KEY_ARN: KEY_ARN, WEBHOOK_SECRETS_KEY_FILE: '/tmp/x' })).toThrow(/not both/);
    expect(() => secretSealerFromEnv({ WEBHOOK_SECRETS_KMS_KEY_ARN: 'alias/mine' })).toThrow(/WEBHOOK_SECRETS_KMS_KEY_ARN must be a KMS key ARN/);
  });

  it('without a key, refuses to seal or open rather than store anything in plaintext', async () => {
    const sealer = secretSealerFromEnv({});
    await expect(sealer.seal('whsec_x', context)).rejects.toThrow(/no key for webhook secrets/);
    await expect(sealer.open('v1.a.b.c.d', context)).rejects.toThrow(/no key for webhook secrets/);
  });
});

describe('the KMS sealer (aws-sdk-client-mock: KMS has no local engine)', () => {
  const kms = mockClient(KMSClient);
  afterEach(() => kms.reset());

  /** KMS as it behaves: a data key per call, and Decrypt only with the key and context it was made with. */
  function behaveLikeKms() {
    const issued = new Map<string, { plaintext: Buffer; keyId: string; context: string }>();
    kms.on(GenerateDataKeyCommand).callsFake((input) => {
      const plaintext = randomBytes(32);
      const blob = randomBytes(48);
      issued.set(blob.toString('hex'), { plaintext, keyId: input.KeyId, context: JSON.stringify(input.EncryptionContext) });
      return { Plaintext: new Uint8Array(plaintext), CiphertextBlob: new Uint8Array(blob), KeyId: input.KeyId };
    });
    kms.on(DecryptCommand).callsFake((input) => {
      const entry = issued.get(Buffer.from(input.CiphertextBlob).toString('hex'));
      if (!entry || entry.keyId !== input.KeyId || entry.context !== JSON.stringify(input.EncryptionContext)) {
        throw new InvalidCiphertextException({ message: 'invalid ciphertext', $metadata: {} });
      }
      return { Plaintext: new Uint8Array(entry.plaintext), KeyId: input.KeyId };
    });
    return issued;
  }

  it('asks GenerateDataKey for an AES_256 key with the context, keeps only the encrypted key, and opens with Decrypt of that key and context', async () => {
    const issued = behaveLikeKms();
    const sealer = kmsSecretSealer(new KMSClient({ region: 'us-east-1' }), KEY_ARN);
    const secret = newWebhookSecret();
    const sealed = await sealer.seal(secret, context);

    expect(kms.commandCalls(GenerateDataKeyCommand).map((call) => call.args[0].input)).toEqual([{ KeyId: KEY_ARN, KeySpec: 'AES_256', EncryptionContext: context }]);
    const { plaintext } = [...issued.values()][0]!;
    for (const trace of [plaintext.toString('base64'), plaintext.toString('base64url'), plaintext.toString('hex')]) expect(sealed).not.toContain(trace);
    expect(Buffer.from(sealed.split('.')[1]!, 'base64url').toString('hex')).toBe([...issued.keys()][0]);

    expect(await sealer.open(sealed, context)).toBe(secret);
    expect(kms.commandCalls(DecryptCommand).map((call) => call.args[0].input)).toEqual([
      { KeyId: KEY_ARN, CiphertextBlob: Buffer.from(sealed.split('.')[1]!, 'base64url'), EncryptionContext: context },
    ]);
  });

  it('turns KMS refusing the context (a sealed secret copied to another item) into SecretRefusedError', async () => {
    behaveLikeKms();
    const sealer = kmsSecretSealer(new KMSClient({ region: 'us-east-1' }), KEY_ARN);
    const sealed = await sealer.seal(newWebhookSecret(), context);
    await expect(sealer.open(sealed, endpointSecretContext({ merchantId: 'mch_a', endpointId: 'we_2' }))).rejects.toBeInstanceOf(SecretRefusedError);
    await expect(sealer.open(flipBit(sealed, 3), context)).rejects.toBeInstanceOf(SecretRefusedError);
  });

  it('lets a KMS outage through as itself, so the caller retries', async () => {
    kms.on(GenerateDataKeyCommand).rejects(new KMSInternalException({ message: 'try again', $metadata: {} }));
    const sealer = kmsSecretSealer(new KMSClient({ region: 'us-east-1' }), KEY_ARN);
    await expect(sealer.seal('whsec_x', context)).rejects.toBeInstanceOf(KMSInternalException);
  });

  it('is what WEBHOOK_SECRETS_KMS_KEY_ARN selects', async () => {
    behaveLikeKms();
    const sealer = secretSealerFromEnv({ WEBHOOK_SECRETS_KMS_KEY_ARN: KEY_ARN, AWS_REGION: 'eu-west-1' });
    expect(await sealer.open(await sealer.seal('whsec_env', context), context)).toBe('whsec_env');
    expect(kms.commandCalls(GenerateDataKeyCommand)[0]!.args[0].input.KeyId).toBe(KEY_ARN);
  });
});

describe('the delivery cache of opened secrets', () => {
  it('opens each sealed value once per 5 minutes, apart per context, and keeps at most maxEntries', async () => {
    const sealer = localSecretSealer(randomBytes(32));
    let opens = 0;
    let nowMs = 0;
    const opener = cachedOpener({ open: (sealed, ctx) => (opens++, sealer.open(sealed, ctx)) }, { nowMs: () => nowMs, maxEntries: 2 });
    const sealed = await sealer.seal('whsec_cached', context);
    expect(await opener.open(sealed, context)).toBe('whsec_cached');
    expect(await opener.open(sealed, context)).toBe('whsec_cached');
    expect(opens).toBe(1);
    nowMs += 300_000;
    await opener.open(sealed, context);
    expect(opens).toBe(2);
    // A cached plaintext is not handed out for another item's context.
    await expect(opener.open(sealed, endpointSecretContext({ merchantId: 'mch_a', endpointId: 'we_2' }))).rejects.toBeInstanceOf(SecretRefusedError);
    const others = [await sealer.seal('whsec_1', context), await sealer.seal('whsec_2', context)];
    for (const other of others) await opener.open(other, context);
    opens = 0;
    await opener.open(sealed, context);
    expect(opens).toBe(1);
  });
});
