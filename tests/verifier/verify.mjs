// Verify one credential with the Digital Credentials Consortium's verifier-core, as a wallet would.
//
// Reads {"credential": {...}, "routes": {"<url prefix>": "<replacement prefix or file:/path>"}} on
// stdin and prints verifier-core's result (without the echoed credential) as JSON on stdout.
// verifier-core fetches DID documents, status lists and schemas with the global fetch and refuses
// http and localhost, so the routes send the credential's https addresses to the app under test on
// loopback (or to a bundled file); any other address is refused: nothing leaves the machine.
import { readFileSync } from 'node:fs';
import { verifyCredential } from '@digitalcredentials/verifier-core';

const job = JSON.parse(readFileSync(0, 'utf8'));
console.log = console.error;  // verifier-core logs to stdout; keep stdout for the result
const realFetch = globalThis.fetch;

globalThis.fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input.url ?? String(input);
  for (const [prefix, target] of Object.entries(job.routes ?? {})) {
    if (!url.startsWith(prefix)) continue;
    if (target.startsWith('file:')) {
      return new Response(readFileSync(new URL(target)), { headers: { 'Content-Type': 'application/json' } });
    }
    const headers = input instanceof Request ? input.headers : init?.headers;
    return realFetch(target + url.slice(prefix.length), { headers });
  }
  throw new TypeError(`refused to fetch ${url}: not an address of the app under test`);
};

const result = await verifyCredential({ credential: job.credential, knownDIDRegistries: [] });
delete result.credential;
const errors = (result.errors ?? []).map(({ name, message }) => ({ name, message }));
process.stdout.write(JSON.stringify({ ...result, ...(result.errors ? { errors } : {}) }, null, 1) + '\n');
