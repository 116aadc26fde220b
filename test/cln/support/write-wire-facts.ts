/**
 * Rewrites fixtures/cln-wire-facts.json from Core Lightning's protos in the local mirror:
 * `npx tsx test/cln/support/write-wire-facts.ts`. Run it after declaring more of cln-grpc.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLN_PROTO_DIR } from '../../../cln-simulator';
import { loadOurProtos, parseClnProtos, readMirrorProtos, restrictTo, wireFactsOf } from './wire-facts';

const mirror = readMirrorProtos();
if (!mirror) throw new Error('no Core Lightning mirror to read the facts from');
const facts = restrictTo(wireFactsOf(parseClnProtos(mirror.node, mirror.primitives)), wireFactsOf(loadOurProtos(CLN_PROTO_DIR)));
const target = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/cln-wire-facts.json');
writeFileSync(target, `${JSON.stringify({ source: `ElementsProject/lightning ${mirror.commit}`, ...facts }, null, 1)}\n`);
console.log(`wrote ${target}`);
