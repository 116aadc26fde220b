import { createHash } from 'node:crypto';
import { getPublicKey, utils } from '@noble/secp256k1';
import { bech32 } from '@scure/base';
import bolt11 from 'bolt11';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBolt11 } from '../../functions/lib/bolt11/decode';
import { InvalidBolt11Error } from '../../functions/lib/errors';

// The BOLT11 specification's examples (lightning/bolts, 11-payment-encoding.md), all signed by
// the same key; the first nine are legacy invoices without a payment secret.
const SPEC_PAYEE = '03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad';
const SPEC_HASH = '0001020304050607080900010203040506070809000102030405060708090102';
const SPEC_TIMESTAMP = 1_496_314_658;
const SPEC_HASHED_DESCRIPTION =
  'One piece of chocolate cake, one icecream cone, one pickle, one slice of swiss cheese, one slice of salami, one lollypop, one piece of cherry pie, one sausage, one cupcake, and one slice of watermelon';

const Spec = {
  donation:
    'lnbc1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpl2pkx2ctnv5sxxmmwwd5kgetjypeh2ursdae8g6twvus8g6rfwvs8qun0dfjkxaq8rkx3yf5tcsyz3d73gafnh3cax9rn449d9p5uxz9ezhhypd0elx87sjle52x86fux2ypatgddc6k63n7erqz25le42c4u4ecky03ylcqca784w',
  coffee:
    'lnbc2500u1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpuaztrnwngzn3kdzw5hydlzf03qdgm2hdq27cqv3agm2awhz5se903vruatfhq77w3ls4evs3ch9zw97j25emudupq63nyw24cg27h2rspfj9srp',
  nonsense:
    'lnbc2500u1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe78q4eyqc7d8d0xqzpuyk0sg5g70me25alkluzd2x62aysf2pyy8edtjeevuv4p2d5p76r4zkmneet7uvyakky2zr4cusd45tftc9c5fh0nnqpnl2jfll544esqchsrny',
  hashedDescription:
    'lnbc20m1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqhp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqscc6gd6ql3jrc5yzme8v4ntcewwz5cnw92tz0pc8qcuufvq7khhr8wpald05e92xw006sq94mg8v2ndf4sefvf9sygkshp5zfem29trqq2yxxz7',
  testnetP2pkh:
    'lntb20m1pvjluezhp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqfpp3x9et2e20v6pu37c5d9vax37wxq72un98kmzzhznpurw9sgl2v0nklu2g4d0keph5t7tj9tcqd8rexnd07ux4uv2cjvcqwaxgj7v4uwn5wmypjd5n69z2xm3xgksg28nwht7f6zspwp3f9t',
  p2pkhWithRoute:
    'lnbc20m1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqhp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqsfpp3qjmp7lwpagxun9pygexvgpjdc4jdj85fr9yq20q82gphp2nflc7jtzrcazrra7wwgzxqc8u7754cdlpfrmccae92qgzqvzq2ps8pqqqqqqpqqqqq9qqqvpeuqafqxu92d8lr6fvg0r5gv0heeeqgcrqlnm6jhphu9y00rrhy4grqszsvpcgpy9qqqqqqgqqqqq7qqzqj9n4evl6mr5aj9f58zp6fyjzup6ywn3x6sk8akg5v4tgn2q8g4fhx05wf6juaxu9760yp46454gpg5mtzgerlzezqcqvjnhjh8z3g2qqdhhwkj',
  p2sh: 'lnbc20m1pvjluezhp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqfppj3a24vwu6r8ejrss3axul8rxldph2q7z9kmrgvr7xlaqm47apw3d48zm203kzcq357a4ls9al2ea73r8jcceyjtya6fu5wzzpe50zrge6ulk4nvjcpxlekvmxl6qcs9j3tz0469gq5g658y',
  p2wpkh:
    'lnbc20m1pvjluezhp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqfppqw508d6qejxtdg4y5r3zarvary0c5xw7kepvrhrm9s57hejg0p662ur5j5cr03890fa7k2pypgttmh4897d3raaq85a293e9jpuqwl0rnfuwzam7yr8e690nd2ypcq9hlkdwdvycqa0qza8',
  p2wsh:
    'lnbc20m1pvjluezhp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqfp4qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q28j0v3rwgy9pvjnd48ee2pl8xrpxysd5g44td63g6xcjcu003j3qe8878hluqlvl3km8rm92f5stamd3jw763n3hck0ct7p8wwj463cql26ava',
  picoAmount:
    'lnbc9678785340p1pwmna7lpp5gc3xfm08u9qy06djf8dfflhugl6p7lgza6dsjxq454gxhj9t7a0sd8dgfkx7cmtwd68yetpd5s9xar0wfjn5gpc8qhrsdfq24f5ggrxdaezqsnvda3kkum5wfjkzmfqf3jkgem9wgsyuctwdus9xgrcyqcjcgpzgfskx6eqf9hzqnteypzxz7fzypfhg6trddjhygrcyqezcgpzfysywmm5ypxxjemgw3hxjmn8yptk7untd9hxwg3q2d6xjcmtv4ezq7pqxgsxzmnyyqcjqmt0wfjjq6t5v4khxxqyjw5qcqp2rzjq0gxwkzc8w6323m55m4jyxcjwmy7stt9hwkwe2qxmy8zpsgg7jcuwz87fcqqeuqqqyqqqqlgqqqqn3qq9qn07ytgrxxzad9hc4xt3mawjjt8znfv8xzscs7007v9gh9j569lencxa8xeujzkxs0uamak9aln6ez02uunw6rd2ht2sqe4hz8thcdagpleym0j',
  features:
    'lnbc25m1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5vdhkven9v5sxyetpdeessp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygs9q5sqqqqqqqqqqqqqqqpqsq67gye39hfg3zd8rgc80k32tvy9xk2xunwm5lzexnvpx6fd77en8qaq424dxgt56cag2dpt359k3ssyhetktkpqh24jqnjyw6uqd08sgptq44qu',
  ignoredFields:
    'lnbc25m1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5vdhkven9v5sxyetpdeessp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygs9q5sqqqqqqqqqqqqqqqpqsq2qrqqqfppnqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqppnqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqpp4qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqhpnqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqhp4qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqspnqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqsp4qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnp5qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnpkqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq2jxxfsnucm4jf4zwtznpaxphce606fvhvje5x7d4gw7n73994hgs7nteqvenq8a4ml8aqtchv5d9pf7l558889hp4yyrqv6a7zpq9fgpskqhza',
  unknownEvenFeature:
    'lnbc25m1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5vdhkven9v5sxyetpdeessp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygs9q4psqqqqqqqqqqqqqqqpqsqq40wa3khl49yue3zsgm26jrepqr2eghqlx86rttutve3ugd05em86nsefzh4pfurpd9ek9w2vp95zxqnfe2u7ckudyahsa52q66tgzcp6t2dyk',
} as const;

const SpecInvalid = {
  badChecksum:
    'lnbc2500u1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe78q4eyqc7d8d0xqzpuyk0sg5g70me25alkluzd2x62aysf2pyy8edtjeevuv4p2d5p76r4zkmneet7uvyakky2zr4cusd45tftc9c5fh0nnqpnl2jfll544esqchsrnt',
  noSeparator:
    'pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe78q4eyqc7d8d0xqzpuyk0sg5g70me25alkluzd2x62aysf2pyy8edtjeevuv4p2d5p76r4zkmneet7uvyakky2zr4cusd45tftc9c5fh0nnqpnl2jfll544esqchsrny',
  mixedCase:
    'LNBC2500u1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe78q4eyqc7d8d0xqzpuyk0sg5g70me25alkluzd2x62aysf2pyy8edtjeevuv4p2d5p76r4zkmneet7uvyakky2zr4cusd45tftc9c5fh0nnqpnl2jfll544esqchsrny',
  unrecoverableSignature:
    'lnbc2500u1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpuaxtrnwngzn3kdzw5hydlzf03qdgm2hdq27cqv3agm2awhz5se903vruatfhq77w3ls4evs3ch9zw97j25emudupq63nyw24cg27h2rspk28uwq',
  tooShort: 'lnbc1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpl2pkx2ctnv5sxxmmwwd5kgetjypeh2ursdae8g6na6hlh',
  invalidMultiplier:
    'lnbc2500x1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpujr6jxr9gq9pv6g46y7d20jfkegkg4gljz2ea2a3m9lmvvr95tq2s0kvu70u3axgelz3kyvtp2ywwt0y8hkx2869zq5dll9nelr83zzqqpgl2zg',
  subMillisatoshi:
    'lnbc2500000001p1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpu7hqtk93pkf7sw55rdv4k9z2vj050rxdr6za9ekfs3nlt5lr89jqpdmxsmlj9urqumg0h9wzpqecw7th56tdms40p2ny9q4ddvjsedzcplva53s',
} as const;

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** What `decodeBolt11` threw, or null: anything thrown must be our typed error. */
function refusalOf(paymentRequest: string): InvalidBolt11Error | null {
  try {
    decodeBolt11(paymentRequest);
    return null;
  } catch (error) {
    if (error instanceof InvalidBolt11Error) return error;
    throw error;
  }
}

/** Re-encodes `paymentRequest` with `edit` applied to its prefix and words, under a correct checksum. */
function rewritten(paymentRequest: string, edit: (parts: { prefix: string; words: number[] }) => { prefix: string; words: number[] }): string {
  const { prefix, words } = bech32.decode(paymentRequest as `${string}1${string}`, false);
  const edited = edit({ prefix, words: [...words] });
  return bech32.encode(edited.prefix, edited.words, false);
}

/** `invoice` with one more tagged field before the signature (so the payee recovered is then someone else). */
function withFieldAppended(invoice: string, tag: number, data: number[]): string {
  return rewritten(invoice, ({ prefix, words }) => {
    words.splice(words.length - 104, 0, tag, data.length >> 5, data.length & 31, ...data);
    return { prefix, words };
  });
}
const hashWords = (byte: number) => bech32.toWords(new Uint8Array(32).fill(byte));

describe('decodeBolt11: the BOLT11 specification’s examples', () => {
  it('a donation of any amount: no amount, a description, the payee recovered from the signature', () => {
    expect(decodeBolt11(Spec.donation)).toEqual({
      currency: 'bc',
      amountMsat: null,
      timestampSec: SPEC_TIMESTAMP,
      paymentHash: SPEC_HASH,
      paymentSecret: null,
      description: 'Please consider supporting this project',
      descriptionHash: null,
      expirySec: 3_600,
      minFinalCltvExpiry: 18,
      payee: SPEC_PAYEE,
      featureBits: [],
      fallbacks: [],
      routes: [],
    });
  });

  it('2500u is 250,000,000 msat, and an x field of 60 s; UTF-8 descriptions come back intact', () => {
    expect(decodeBolt11(Spec.coffee)).toMatchObject({ amountMsat: 250_000_000n, description: '1 cup coffee', expirySec: 60, payee: SPEC_PAYEE });
    expect(decodeBolt11(Spec.nonsense)).toMatchObject({ amountMsat: 250_000_000n, description: 'ナンセンス 1杯', expirySec: 60, payee: SPEC_PAYEE });
  });

  it('20m is 2,000,000,000 msat, with the description’s sha256 in h', () => {
    expect(decodeBolt11(Spec.hashedDescription)).toMatchObject({
      amountMsat: 2_000_000_000n,
      description: null,
      descriptionHash: sha256Hex(SPEC_HASHED_DESCRIPTION),
      paymentHash: SPEC_HASH,
      payee: SPEC_PAYEE,
    });
  });

  it('fallback addresses by version: P2PKH on testnet and mainnet, P2SH, P2WPKH, P2WSH', () => {
    expect(decodeBolt11(Spec.testnetP2pkh)).toMatchObject({ currency: 'tb', paymentHash: SPEC_HASH, payee: SPEC_PAYEE, fallbacks: [{ version: 17, program: '3172b5654f6683c8fb146959d347ce303cae4ca7' }] });
    expect(decodeBolt11(Spec.p2pkhWithRoute).fallbacks).toEqual([{ version: 17, program: '04b61f7dc1ea0dc99424464cc4064dc564d91e89' }]);
    expect(decodeBolt11(Spec.p2sh).fallbacks).toEqual([{ version: 18, program: '8f55563b9a19f321c211e9b9f38cdf686ea07845' }]);
    expect(decodeBolt11(Spec.p2wpkh).fallbacks).toEqual([{ version: 0, program: '751e76e8199196d454941c45d1b3a323f1433bd6' }]);
    expect(decodeBolt11(Spec.p2wsh).fallbacks).toEqual([{ version: 0, program: '1863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262' }]);
    for (const invoice of [Spec.p2pkhWithRoute, Spec.p2sh, Spec.p2wpkh, Spec.p2wsh]) expect(decodeBolt11(invoice).payee).toBe(SPEC_PAYEE);
  });

  it('a route hint of two hops', () => {
    expect(decodeBolt11(Spec.p2pkhWithRoute).routes).toEqual([
      [
        { pubkey: '029e03a901b85534ff1e92c43c74431f7ce72046060fcf7a95c37e148f78c77255', shortChannelId: '0102030405060708', feeBaseMsat: 1, feeProportionalMillionths: 20, cltvExpiryDelta: 3 },
        { pubkey: '039e03a901b85534ff1e92c43c74431f7ce72046060fcf7a95c37e148f78c77255', shortChannelId: '030405060708090a', feeBaseMsat: 2, feeProportionalMillionths: 30, cltvExpiryDelta: 4 },
      ],
    ]);
  });

  it('a pico-bitcoin amount, a week’s expiry, a c field and a route hint', () => {
    expect(decodeBolt11(Spec.picoAmount)).toMatchObject({
      amountMsat: 967_878_534n,
      timestampSec: 1_572_468_703,
      paymentHash: '462264ede7e14047e9b249da94fefc47f41f7d02ee9b091815a5506bc8abf75f',
      expirySec: 604_800,
      minFinalCltvExpiry: 10,
      payee: SPEC_PAYEE,
      routes: [[{ pubkey: '03d06758583bb5154774a6eb221b1276c9e82d65bbaceca806d90e20c108f4b1c7', shortChannelId: '08fe4e000cf00001', feeBaseMsat: 1_000, feeProportionalMillionths: 2_500, cltvExpiryDelta: 40 }]],
    });
    expect(decodeBolt11(Spec.picoAmount).description).toMatch(/^Blockstream Store: 88\.85 USD for Blockstream Ledger Nano S x 1, "Back In My Day" Sticker x 2/);
  });

  it('feature bits 9, 15 and 99 with a payment secret, in lower and in upper case alike', () => {
    const expected = { amountMsat: 2_500_000_000n, description: 'coffee beans', paymentSecret: '11'.repeat(32), featureBits: [9, 15, 99], payee: SPEC_PAYEE };
    expect(decodeBolt11(Spec.features)).toMatchObject(expected);
    expect(decodeBolt11(Spec.features.toUpperCase())).toEqual(decodeBolt11(Spec.features));
  });

  it('skips unknown fields, an f of unknown version, and p, h, s, n of the wrong length', () => {
    expect(decodeBolt11(Spec.ignoredFields)).toEqual({ ...decodeBolt11(Spec.features), fallbacks: [] });
  });

  it('reports an unknown even feature bit (100) for the paying node to refuse', () => {
    expect(decodeBolt11(Spec.unknownEvenFeature).featureBits).toEqual([9, 15, 99, 100]);
  });

  it.each(Object.entries(SpecInvalid))('refuses the invalid example: %s', (_name, invoice) => {
    expect(refusalOf(invoice)).toBeInstanceOf(InvalidBolt11Error);
  });
});

describe('decodeBolt11: which field it reads', () => {
  it('the first of two usable fields of a kind, as the most preferred', () => {
    const invoice = withFieldAppended(withFieldAppended(Spec.features, 1, hashWords(0xaa)), 13, bech32.toWords(new TextEncoder().encode('second')));
    expect(decodeBolt11(invoice)).toMatchObject({ paymentHash: SPEC_HASH, description: 'coffee beans' });
  });

  it('none of a p, h, s or n whose only instance has the wrong length', () => {
    const short = hashWords(0xbb).slice(0, 51);
    expect(decodeBolt11(withFieldAppended(Spec.donation, 16, short)).paymentSecret).toBeNull();
    expect(decodeBolt11(withFieldAppended(Spec.donation, 23, short)).descriptionHash).toBeNull();
    expect(decodeBolt11(withFieldAppended(Spec.donation, 16, hashWords(0xbb))).paymentSecret).toBe('bb'.repeat(32));
    // A 52-word n is skipped, so the payee is recovered (someone else, as the words changed) rather than refused.
    expect(refusalOf(withFieldAppended(Spec.donation, 19, short.concat(0)))).toBeNull();
    const withoutUsableHash = rewritten(withFieldAppended(Spec.donation, 1, short), ({ prefix, words }) => {
      words[7] = 2; // the original p becomes an unknown field
      return { prefix, words };
    });
    expect(refusalOf(withoutUsableHash)?.message).toMatch(/no payment hash/);
  });
});

describe('decodeBolt11: what it refuses', () => {
  it('an amount with leading zeros, and one after an unknown multiplier', () => {
    const withPrefix = (prefix: string) => rewritten(Spec.coffee, ({ words }) => ({ prefix, words }));
    expect(refusalOf(withPrefix('lnbc02500u'))?.message).toMatch(/leading zeros/);
    expect(refusalOf(withPrefix('lnbc2500ua'))).toBeInstanceOf(InvalidBolt11Error);
    // Same words under another valid prefix: well-formed, but the signature now names someone else.
    expect(decodeBolt11(withPrefix('lnbc2500m')).payee).not.toBe(SPEC_PAYEE);
  });

  it('a currency it does not know, and a prefix that is not ln', () => {
    expect(refusalOf(rewritten(Spec.donation, ({ words }) => ({ prefix: 'lnxy', words })))?.message).toMatch(/currency/);
    expect(refusalOf(rewritten(Spec.donation, ({ words }) => ({ prefix: 'bc', words })))?.message).toMatch(/currency/);
  });

  it('an invoice without a usable payment hash', () => {
    // The donation's p field is its first: type 1, length 52; retyping it to an unknown 2 leaves no p.
    const withoutHash = rewritten(Spec.donation, ({ prefix, words }) => {
      expect(words.slice(7, 10)).toEqual([1, 1, 20]);
      words[7] = 2;
      return { prefix, words };
    });
    expect(refusalOf(withoutHash)?.message).toMatch(/no payment hash/);
  });

  it('a field that runs past the signature', () => {
    const overlong = rewritten(Spec.donation, ({ prefix, words }) => {
      // The d field follows the 55 words of p: its length becomes 1,023 words.
      expect(words.slice(62, 65)).toEqual([13, 1, 31]);
      words[63] = 31;
      words[64] = 31;
      return { prefix, words };
    });
    expect(refusalOf(overlong)?.message).toMatch(/longer than the invoice/);
  });

  it('an n field whose key did not make the signature', () => {
    const signer = utils.randomSecretKey();
    const someoneElse = Buffer.from(getPublicKey(utils.randomSecretKey())).toString('hex');
    const honest = signedByBolt11Package({ privateKey: signer, withPayeeField: true });
    // The n field comes last, just before the 104 signature words: type 19, length 53.
    const nStart = honest.words.length - 104 - 56;
    expect(honest.words.slice(nStart, nStart + 3)).toEqual([19, 1, 21]);
    const forged = rewritten(honest.paymentRequest, ({ prefix, words }) => {
      words.splice(nStart + 3, 53, ...bech32.toWords(Buffer.from(someoneElse, 'hex')));
      return { prefix, words };
    });
    expect(decodeBolt11(honest.paymentRequest).payee).toBe(Buffer.from(getPublicKey(signer)).toString('hex'));
    expect(refusalOf(forged)?.message).toMatch(/does not match its payee/);
  });

  it('a description that is not UTF-8, a route hint that is not whole hops, a fallback of the wrong size', () => {
    // The donation's own d (after its p) becomes an unknown field, so the appended one is read.
    const withoutDescription = rewritten(Spec.donation, ({ prefix, words }) => {
      words[62] = 2;
      return { prefix, words };
    });
    expect(refusalOf(withFieldAppended(withoutDescription, 13, bech32.toWords(Uint8Array.of(0x66, 0xff, 0x66))))?.message).toMatch(/not UTF-8/);
    expect(decodeBolt11(withFieldAppended(withoutDescription, 13, bech32.toWords(new TextEncoder().encode('5 €'))))).toMatchObject({ description: '5 €' });
    expect(refusalOf(withFieldAppended(Spec.donation, 3, bech32.toWords(new Uint8Array(50).fill(2))))?.message).toMatch(/route hint/);
    expect(refusalOf(withFieldAppended(Spec.donation, 9, [17, ...bech32.toWords(new Uint8Array(19))]))?.message).toMatch(/fallback/);
    expect(refusalOf(withFieldAppended(Spec.donation, 9, [0, ...bech32.toWords(new Uint8Array(21))]))?.message).toMatch(/fallback/);
    // The same shapes, well formed, are read.
    expect(refusalOf(withFieldAppended(Spec.donation, 9, [17, ...bech32.toWords(new Uint8Array(20))]))).toBeNull();
    expect(decodeBolt11(withFieldAppended(Spec.donation, 23, hashWords(0xcc))).descriptionHash).toBe('cc'.repeat(32));
  });

  it('a recovery id above 3', () => {
    const badRecovery = rewritten(Spec.donation, ({ prefix, words }) => {
      // The recovery id is the last byte: the final word holds its low 5 bits.
      words[words.length - 1] = 4;
      return { prefix, words };
    });
    expect(refusalOf(badRecovery)?.message).toMatch(/recovery id/);
  });

  it('strings that are not invoices at all, without ever throwing anything else', () => {
    for (const garbage of ['', 'hello', 'lnbcrt1', 'lnbc1qqqqqqqq', `lightning:${Spec.donation}`, ' ', '1'.repeat(8000), `${Spec.donation}q`]) {
      expect(refusalOf(garbage)).toBeInstanceOf(InvalidBolt11Error);
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        expect(refusalOf(text)).toBeInstanceOf(InvalidBolt11Error);
      }),
    );
  });
});

// Random invoices written by the `bolt11` package, an independent encoder.

const NETWORKS = [
  { bech32: 'bc', pubKeyHash: 0x00, scriptHash: 0x05, validWitnessVersions: [0, 1] },
  { bech32: 'tb', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] },
  { bech32: 'tbs', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] },
  { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] },
  { bech32: 'sb', pubKeyHash: 0x3f, scriptHash: 0x7b, validWitnessVersions: [0, 1] },
];
/** 21 million bitcoin: the most the `bolt11` package will encode. */
const MAX_MSAT = 2_100_000_000_000_000_000n;

interface InvoiceSpec {
  network: (typeof NETWORKS)[number];
  amountMsat: bigint | null;
  timestampSec: number;
  paymentHash: string;
  paymentSecret: string | null;
  description: { text: string } | { hash: string };
  expirySec: number | null;
  minFinalCltvExpiry: number | null;
  routes: Array<Array<{ pubkey: string; shortChannelId: string; feeBaseMsat: number; feeProportionalMillionths: number; cltvExpiryDelta: number }>>;
  withPayeeField: boolean;
  privateKey: Uint8Array;
}

const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));
const amount = fc.oneof(
  fc.bigInt({ min: 1n, max: MAX_MSAT }),
  // Round amounts, which the encoder writes with m, u or n multipliers.
  fc.tuple(fc.bigInt({ min: 1n, max: 21_000n }), fc.constantFrom(1n, 100n, 100_000n, 100_000_000n, 10n ** 11n)).map(([units, scale]) => units * scale),
);
const secretKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((key) => utils.isValidSecretKey(key));
const routeHop = fc.record({
  // The encoder refuses a hop whose key is not a curve point.
  pubkey: secretKey.map((key) => Buffer.from(getPublicKey(key)).toString('hex')),
  shortChannelId: hex(8),
  feeBaseMsat: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  feeProportionalMillionths: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  cltvExpiryDelta: fc.integer({ min: 0, max: 65_535 }),
});
const invoiceSpec: fc.Arbitrary<InvoiceSpec> = fc.record({
  network: fc.constantFrom(...NETWORKS),
  amountMsat: fc.option(amount, { nil: null }),
  timestampSec: fc.integer({ min: 0, max: 2 ** 35 - 1 }),
  paymentHash: hex(32),
  paymentSecret: fc.option(hex(32), { nil: null }),
  description: fc.oneof(fc.record({ text: fc.fullUnicodeString({ maxLength: 80 }) }), fc.record({ hash: hex(32) })),
  expirySec: fc.option(fc.integer({ min: 1, max: 2 ** 40 }), { nil: null }),
  minFinalCltvExpiry: fc.option(fc.integer({ min: 1, max: 2 ** 20 }), { nil: null }),
  routes: fc.array(fc.array(routeHop, { minLength: 1, maxLength: 3 }), { maxLength: 2 }),
  withPayeeField: fc.boolean(),
  privateKey: secretKey,
});

function signedByBolt11Package(options: Partial<InvoiceSpec> & { privateKey: Uint8Array }): { paymentRequest: string; payee: string; words: number[] } {
  const spec: InvoiceSpec = {
    network: NETWORKS[0]!,
    amountMsat: null,
    timestampSec: 1_700_000_000,
    paymentHash: '42'.repeat(32),
    paymentSecret: null,
    description: { text: 'test' },
    expirySec: null,
    minFinalCltvExpiry: null,
    routes: [],
    withPayeeField: false,
    ...options,
  };
  const publicKey = Buffer.from(getPublicKey(spec.privateKey)).toString('hex');
  const tags: Array<{ tagName: string; data: unknown }> = [{ tagName: 'payment_hash', data: spec.paymentHash }];
  if (spec.paymentSecret !== null) {
    tags.push({ tagName: 'payment_secret', data: spec.paymentSecret });
    tags.push({ tagName: 'feature_bits', data: { word_length: 4, var_onion_optin: { required: true, supported: true }, payment_secret: { required: true, supported: true } } });
  }
  tags.push('text' in spec.description ? { tagName: 'description', data: spec.description.text } : { tagName: 'purpose_commit_hash', data: spec.description.hash });
  if (spec.expirySec !== null) tags.push({ tagName: 'expire_time', data: spec.expirySec });
  if (spec.minFinalCltvExpiry !== null) tags.push({ tagName: 'min_final_cltv_expiry', data: spec.minFinalCltvExpiry });
  for (const route of spec.routes) {
    tags.push({
      tagName: 'routing_info',
      data: route.map((hop) => ({ pubkey: hop.pubkey, short_channel_id: hop.shortChannelId, fee_base_msat: hop.feeBaseMsat, fee_proportional_millionths: hop.feeProportionalMillionths, cltv_expiry_delta: hop.cltvExpiryDelta })),
    });
  }
  if (spec.withPayeeField) tags.push({ tagName: 'payee_node_key', data: publicKey });
  const unsigned = bolt11.encode(
    { network: spec.network, timestamp: spec.timestampSec, ...(spec.amountMsat === null ? {} : { millisatoshis: spec.amountMsat.toString() }), tags: tags as never },
    false,
  );
  const signed = bolt11.sign(unsigned, Buffer.from(spec.privateKey));
  if (!signed.paymentRequest || !signed.payeeNodeKey) throw new Error('the bolt11 package produced no signed invoice');
  return { paymentRequest: signed.paymentRequest, payee: signed.payeeNodeKey, words: bech32.decode(signed.paymentRequest as `${string}1${string}`, false).words };
}

describe('decodeBolt11 against invoices written by the bolt11 package', () => {
  it('decodes every random invoice to what was encoded and signed', () => {
    fc.assert(
      fc.property(invoiceSpec, (spec) => {
        const { paymentRequest, payee } = signedByBolt11Package(spec);
        const decoded = decodeBolt11(paymentRequest);
        expect(decoded).toMatchObject({
          currency: spec.network.bech32,
          amountMsat: spec.amountMsat,
          timestampSec: spec.timestampSec,
          paymentHash: spec.paymentHash,
          paymentSecret: spec.paymentSecret,
          description: 'text' in spec.description ? spec.description.text : null,
          descriptionHash: 'hash' in spec.description ? spec.description.hash : null,
          expirySec: spec.expirySec ?? 3_600,
          minFinalCltvExpiry: spec.minFinalCltvExpiry ?? 18,
          routes: spec.routes,
          payee,
        });
        expect(decoded.payee).toBe(Buffer.from(getPublicKey(spec.privateKey)).toString('hex'));
      }),
      { numRuns: 150 },
    );
  });

  it('refuses every corrupted invoice, or names a different payee', () => {
    // The signature is the last 104 five-bit words: r ‖ s (512 bits), then the recovery id's byte.
    const SIGNATURE_WORDS = 104;
    const RECOVERY_ID_BIT = 512;
    /** The signature bits (from its first, most significant first) that XOR-ing `value` into words[index] flips; negative: before the signature. */
    const changedBitsOf = (wordCount: number, index: number, value: number) =>
      [0, 1, 2, 3, 4].filter((bit) => value & (0b10000 >> bit)).map((bit) => (index - (wordCount - SIGNATURE_WORDS)) * 5 + bit);
    const corruption = fc.record({
      spec: invoiceSpec,
      kind: fc.constantFrom('word', 'character', 'drop', 'insert', 'prefix'),
      at: fc.nat(),
      value: fc.integer({ min: 1, max: 31 }),
    });
    fc.assert(
      fc.property(corruption, ({ spec, kind, at, value }) => {
        const { paymentRequest, payee } = signedByBolt11Package(spec);
        let corrupted: string;
        // With an `n` field BOLT11 checks the signature against that key, not by recovery: a
        // recovery id changed to another valid one (0 to 3) leaves the invoice as its payee signed it.
        let onlyRecoveryIdChanged = false;
        if (kind === 'character') {
          // A character changed under the old checksum: bech32 must catch it.
          const index = paymentRequest.lastIndexOf('1') + 1 + (at % (paymentRequest.length - paymentRequest.lastIndexOf('1') - 1));
          const replacement = paymentRequest[index] === 'q' ? 'p' : 'q';
          corrupted = paymentRequest.slice(0, index) + replacement + paymentRequest.slice(index + 1);
        } else {
          // A change under a recomputed checksum: only the signature can tell.
          corrupted = rewritten(paymentRequest, ({ prefix, words }) => {
            const index = at % words.length;
            if (kind === 'word') {
              words[index] = words[index]! ^ value;
              onlyRecoveryIdChanged = changedBitsOf(words.length, index, value).every((bit) => bit >= RECOVERY_ID_BIT);
            }
            else if (kind === 'drop') words.splice(index, 1);
            else if (kind === 'insert') words.splice(index, 0, value);
            else return { prefix: `${prefix}${value}0n`, words };
            return { prefix, words };
          });
        }
        const refusal = refusalOf(corrupted);
        if (refusal !== null) return;
        if (onlyRecoveryIdChanged && spec.withPayeeField) expect(decodeBolt11(corrupted)).toEqual(decodeBolt11(paymentRequest));
        else expect(decodeBolt11(corrupted).payee).not.toBe(payee);
      }),
      { numRuns: 300 },
    );
  });
});
