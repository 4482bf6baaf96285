import { session } from "edge-session/sveltekit";

// Made on the first request: the options come from the test's environment at run time.
let hook;
export const handle = (input) => (hook ??= session(JSON.parse(process.env.PARITY_OPTIONS)))(input);
