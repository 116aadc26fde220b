import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddressClass, classifyAddress } from '../../functions/lib/webhooks/ip-address';
import { postWebhook } from '../../functions/lib/webhooks/http-sender';
import { checkWebhookUrl, strictTargetPolicy, type WebhookTargetPolicy } from '../../functions/lib/webhooks/ssrf-guard';
import { localSettings, stubResolver } from './support/fixtures';
import { startReceiver, type Receiver } from './support/receiver';

const resolver = stubResolver({
  'hooks.example.test': ['93.184.215.14', '2606:4700::6810:84e5'],
  'rebind.test': ['127.0.0.1'],
  'internal.test': ['10.1.2.3'],
  'mixed.test': ['93.184.215.14', '10.0.0.1'],
  'ula.test': ['fd00::1'],
  'meta.test': ['169.254.169.254'],
  'mapped.test': ['::ffff:127.0.0.1'],
  'nat64-meta.test': ['64:ff9b::a9fe:a9fe'],
  'cgnat.test': ['100.64.1.1'],
  'linklocal6.test': ['fe80::1'],
});

const privateAllowed: WebhookTargetPolicy = { allowHttp: true, allowPrivateTargets: true };

type Case = [url: string, expected: 'allowed' | RegExp];

const refusedInProduction: Case[] = [
  ['https://127.0.0.1/', /loopback/],
  ['https://127.1/', /loopback/],
  ['https://2130706433/', /loopback/],
  ['https://0x7f.1/', /loopback/],
  ['https://0x7f000001/', /loopback/],
  ['https://0177.0.0.1/', /loopback/],
  ['https://017700000001/', /loopback/],
  ['https://[::1]/', /loopback/],
  ['https://[::ffff:127.0.0.1]/', /loopback/],
  ['https://[::ffff:7f00:1]/', /loopback/],
  ['https://[0:0:0:0:0:ffff:7f00:1]/', /loopback/],
  ['https://[::127.0.0.1]/', /loopback/],
  ['https://[64:ff9b::7f00:1]/', /loopback/],
  ['https://[2002:7f00:1::]/', /loopback/],
  ['https://localhost/', /loopback/],
  ['https://api.localhost/', /loopback/],
  ['https://10.0.0.1/', /private/],
  ['https://172.16.5.4/', /private/],
  ['https://172.31.255.255/', /private/],
  ['https://192.168.1.1/', /private/],
  ['https://100.64.0.1/', /private/],
  ['https://100.127.255.254/', /private/],
  ['https://[::ffff:10.0.0.1]/', /private/],
  ['https://[fc00::1]/', /private/],
  ['https://[fd12:3456::1]/', /private/],
  ['https://169.254.169.254/latest/meta-data/', /metadata/],
  ['https://0xa9fea9fe/', /metadata/],
  ['https://2852039166/', /metadata/],
  ['https://169.254.170.2/v2/credentials', /metadata/],
  ['https://100.100.100.200/', /metadata/],
  ['https://[fd00:ec2::254]/', /metadata/],
  ['https://[::ffff:169.254.169.254]/', /metadata/],
  ['https://[64:ff9b::a9fe:a9fe]/', /metadata/],
  ['https://metadata.google.internal/computeMetadata/v1/', /metadata/],
  ['https://METADATA.google.internal./', /metadata/],
  ['https://169.254.1.1/', /link-local/],
  ['https://[fe80::1]/', /link-local/],
  ['https://0.0.0.0/', /reserved/],
  ['https://0/', /reserved/],
  ['https://[::]/', /reserved/],
  ['https://224.0.0.1/', /reserved/],
  ['https://255.255.255.255/', /reserved/],
  ['https://[ff02::1]/', /reserved/],
  ['https://[2001:db8::1]/', /reserved/],
  ['https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', /reserved/], // Teredo
  ['https://rebind.test/', /loopback/],
  ['https://internal.test/', /private/],
  ['https://mixed.test/', /private/],
  ['https://ula.test/', /private/],
  ['https://cgnat.test/', /private/],
  ['https://meta.test/', /metadata/],
  ['https://mapped.test/', /loopback/],
  ['https://nat64-meta.test/', /metadata/],
  ['https://linklocal6.test/', /link-local/],
  ['https://nxdomain.test/', /does not resolve/],
  ['http://93.184.215.14/', /https/],
  ['ftp://93.184.215.14/', /https/],
  ['https://user:secret@93.184.215.14/', /credentials/],
  ['not a url', /absolute https/],
  ['/relative/path', /absolute https/],
];

const allowedInProduction: Case[] = [
  ['https://93.184.215.14/hook', 'allowed'],
  ['https://8.8.8.8:8443/x?y=1', 'allowed'],
  ['https://[2606:4700:4700::1111]/', 'allowed'],
  ['https://[::ffff:8.8.8.8]/', 'allowed'],
  ['https://[64:ff9b::808:808]/', 'allowed'],
  ['https://hooks.example.test/webhooks', 'allowed'],
];

const withPrivateTargetsAllowed: Case[] = [
  ['http://127.0.0.1:3000/hooks', 'allowed'],
  ['http://localhost:8080/', 'allowed'],
  ['http://2130706433/', 'allowed'],
  ['http://10.0.0.1/', 'allowed'],
  ['http://100.64.0.1/', 'allowed'],
  ['http://[::1]/', 'allowed'],
  ['http://[fd12::1]/', 'allowed'],
  ['http://rebind.test/', 'allowed'],
  ['https://hooks.example.test/', 'allowed'],
  // Link-local and metadata stay refused, whatever the deployment allows.
  ['http://169.254.169.254/', /metadata/],
  ['http://0xa9fea9fe/', /metadata/],
  ['http://[fd00:ec2::254]/', /metadata/],
  ['http://[::ffff:169.254.169.254]/', /metadata/],
  ['http://metadata.google.internal/', /metadata/],
  ['http://100.100.100.200/', /metadata/],
  ['http://meta.test/', /metadata/],
  ['http://169.254.10.10/', /link-local/],
  ['http://[fe80::1]/', /link-local/],
  ['http://linklocal6.test/', /link-local/],
  ['http://0.0.0.0/', /reserved/],
  ['ftp://127.0.0.1/', /http/],
];

async function outcome(url: string, policy: WebhookTargetPolicy): Promise<string> {
  try {
    await checkWebhookUrl(url, policy, resolver);
    return 'allowed';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('SSRF guard: endpoint URLs', () => {
  it.each([...refusedInProduction, ...allowedInProduction])('production: %s → %s', async (url, expected) => {
    const result = await outcome(url, strictTargetPolicy);
    if (expected === 'allowed') expect(result).toBe('allowed');
    else expect(result).toMatch(expected);
  });

  it.each(withPrivateTargetsAllowed)('WEBHOOK_ALLOW_PRIVATE_TARGETS and WEBHOOK_ALLOW_HTTP: %s → %s', async (url, expected) => {
    const result = await outcome(url, privateAllowed);
    if (expected === 'allowed') expect(result).toBe('allowed');
    else expect(result).toMatch(expected);
  });

  it('covers well over 25 addresses and spellings', () => {
    expect(refusedInProduction.length + allowedInProduction.length + withPrivateTargetsAllowed.length).toBeGreaterThan(80);
  });
});

describe('SSRF guard: address classes', () => {
  it.each([
    ['127.0.0.1', AddressClass.loopback],
    ['::1', AddressClass.loopback],
    ['::ffff:7f00:1', AddressClass.loopback],
    ['10.255.255.255', AddressClass.private],
    ['100.63.255.255', AddressClass.public],
    ['100.128.0.0', AddressClass.public],
    ['172.15.255.255', AddressClass.public],
    ['172.32.0.0', AddressClass.public],
    ['169.254.169.254', AddressClass.metadata],
    ['fd00:ec2::254', AddressClass.metadata],
    ['fe80::1%eth0', AddressClass.linkLocal],
    ['febf::1', AddressClass.linkLocal],
    ['2606:4700::1', AddressClass.public],
    ['3fff::1', AddressClass.reserved],
    ['not-an-ip', undefined],
  ])('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });
});

describe('SSRF guard at delivery time', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });

  const post = (url: string, policy: WebhookTargetPolicy, records: Record<string, string[]>) =>
    postWebhook({ url, headers: {}, body: '{}', timeoutMs: 2_000, policy, resolve: stubResolver(records) });

  it('connects to the address it validated, through its own lookup (no system DNS for this name)', async () => {
    const before = receiver.received.length;
    const reply = await post(`http://hooks.local.test:${receiver.port}/hooks`, localSettings().policy, { 'hooks.local.test': ['127.0.0.1'] });
    expect(reply).toEqual({ kind: 'response', status: 200, retryAfter: undefined });
    expect(receiver.received.length).toBe(before + 1);
  });

  it('refuses a name that now resolves to a private address (DNS rebinding), and sends nothing', async () => {
    const before = receiver.received.length;
    // Registered while it resolved to a public address...
    await expect(checkWebhookUrl('https://rebind.example.test/', strictTargetPolicy, stubResolver({ 'rebind.example.test': ['93.184.215.14'] }))).resolves.toBeInstanceOf(URL);
    // ...and at delivery it answers 127.0.0.1.
    const reply = await post(`https://rebind.example.test:${receiver.port}/hooks`, strictTargetPolicy, { 'rebind.example.test': ['127.0.0.1'] });
    expect(reply).toEqual({ kind: 'error', error: 'url must not point at a loopback address' });
    expect(receiver.received.length).toBe(before);
  });

  it('refuses when any one of the resolved addresses is refused', async () => {
    const reply = await post(`http://two.test:${receiver.port}/`, localSettings().policy, { 'two.test': ['127.0.0.1', '169.254.169.254'] });
    expect(reply).toEqual({ kind: 'error', error: 'url must not point at a cloud metadata address' });
  });

  it('refuses link-local literals at delivery even where private targets are allowed', async () => {
    const reply = await post('http://169.254.169.254/latest/meta-data/', localSettings().policy, {});
    expect(reply).toEqual({ kind: 'error', error: 'url must not point at a cloud metadata address' });
  });
});
