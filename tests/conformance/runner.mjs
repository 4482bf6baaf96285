// A runtime's runner: imports the package as this runtime resolves it and runs the suite against
// the origin in ORIGIN (with its SECRET), printing the results as one line of JSON.
import * as pkg from "edge-session";
import * as bound from "edge-session/device-bound";
import { conformance } from "./suite.mjs";

const env = globalThis.process?.env ?? globalThis.Deno?.env.toObject() ?? {};
const results = await conformance(pkg, { origin: env.CONFORMANCE_ORIGIN, secret: env.CONFORMANCE_SECRET, bound });
console.log(`CONFORMANCE ${JSON.stringify(results)}`);
