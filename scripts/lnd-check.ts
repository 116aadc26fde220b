/** `npm run lnd:check`, kept for those who know it by that name: the same check as `node:check` (scripts/node-check.ts), for LND and Core Lightning alike. */
import './node-check';
