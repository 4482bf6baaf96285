import node from "@astrojs/node";
import { defineConfig } from "astro/config";

// On-demand rendering with the node adapter: every request runs the middleware.
export default defineConfig({ output: "server", adapter: node({ mode: "standalone" }), security: { checkOrigin: false } });
