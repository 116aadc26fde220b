import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLN_PROTO_DIR } from '../../cln-simulator';
import {
  driftsFrom,
  loadOurProtos,
  parseClnProtos,
  readMirrorProtos,
  restrictTo,
  type WireFacts,
  wireFactsOf,
} from './support/wire-facts';

/**
 * proto/cln/ against Core Lightning's cln-grpc node.proto and primitives.proto: every
 * declared message field has their number, type, label and oneof, every enum value their
 * number, every method their request and response. Their files come from the local mirror
 * when there is one, else from fixtures/cln-wire-facts.json (facts extracted from it by
 * support/write-wire-facts.ts), which the mirror run also checks is current.
 */
const fixturePath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/cln-wire-facts.json');
const fixture = JSON.parse(readFileSync(fixturePath, 'utf8')) as WireFacts & { source: string };
const mirror = readMirrorProtos();
const theirs: WireFacts = mirror ? wireFactsOf(parseClnProtos(mirror.node, mirror.primitives)) : fixture;
const ours = wireFactsOf(loadOurProtos(CLN_PROTO_DIR));

const REQUIRED_METHODS = ['Getinfo', 'Invoice', 'WaitAnyInvoice', 'ListInvoices', 'DelInvoice', 'Decode', 'Xpay', 'ListPays', 'ListFunds'];

describe('proto/cln is wire-identical to cln-grpc for what it declares', () => {
  it('declares package cln and service cln.Node with the methods the adapter needs', () => {
    expect(Object.keys(ours.messages).every((name) => name.startsWith('cln.'))).toBe(true);
    expect(Object.keys(ours.methods).sort()).toEqual(REQUIRED_METHODS.map((method) => `cln.Node/${method}`).sort());
  });

  it('has no field, enum value or method that differs from Core Lightning', () => {
    expect(Object.keys(ours.messages).length).toBeGreaterThan(20);
    expect(driftsFrom(ours, theirs)).toEqual([]);
  });

  it('keeps proto3 optional where Core Lightning has it', () => {
    expect(ours.messages['cln.WaitanyinvoiceRequest']?.lastpay_index?.label).toBe('optional');
    expect(ours.messages['cln.XpayRequest']?.maxfee).toEqual({ id: 3, type: 'cln.Amount', label: 'optional', oneof: null });
    expect(ours.messages['cln.AmountOrAny']?.any).toEqual({ id: 2, type: 'bool', label: 'singular', oneof: 'value' });
  });

  it('notices a drift: a renumbered, retyped or de-optionalised field fails the comparison', () => {
    const source = readFileSync(path.join(CLN_PROTO_DIR, 'node.proto'), 'utf8');
    const primitives = readFileSync(path.join(CLN_PROTO_DIR, 'primitives.proto'), 'utf8');
    const doctored = (from: string, to: string) => {
      expect(source).toContain(from);
      return wireFactsOf(parseClnProtos(source.replace(from, to), primitives));
    };
    expect(driftsFrom(doctored('optional uint64 lastpay_index = 1;', 'optional uint64 lastpay_index = 3;'), theirs)).toHaveLength(1);
    expect(driftsFrom(doctored('optional uint64 lastpay_index = 1;', 'optional uint32 lastpay_index = 1;'), theirs)).toHaveLength(1);
    expect(driftsFrom(doctored('optional Amount maxfee = 3;', 'Amount maxfee = 3;'), theirs)).toHaveLength(1);
    expect(driftsFrom(doctored('\t\tUNPAID = 2;', '\t\tUNPAID = 3;'), theirs)).toHaveLength(1);
  });

  it('the committed fixture holds the mirror’s facts when there is a mirror (regenerate with support/write-wire-facts.ts)', () => {
    const { source, ...fixtureFacts } = fixture;
    expect(source).toMatch(/^ElementsProject\/lightning /);
    if (mirror) expect(fixtureFacts).toEqual(restrictTo(theirs, ours));
  });

  it('the fixture alone also finds proto/cln wire-identical (as CI without the mirror sees it)', () => {
    expect(driftsFrom(ours, fixture)).toEqual([]);
  });
});
