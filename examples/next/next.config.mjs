// The repository's root is the workspace root (this example links the package from there).
const root = new URL("../..", import.meta.url).pathname;

/** @type {import("next").NextConfig} */
export default { turbopack: { root }, outputFileTracingRoot: root };
