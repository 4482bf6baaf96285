const root = new URL("../../../..", import.meta.url).pathname;

export default { turbopack: { root }, outputFileTracingRoot: root };
