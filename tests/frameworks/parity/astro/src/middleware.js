import { session } from "edge-session/astro";

// Made on the first request: the options come from the test's environment at run time.
let middleware;
export const onRequest = (context, next) => (middleware ??= session(JSON.parse(process.env.PARITY_OPTIONS)))(context, next);
