// The benchmark inside workerd. workerd freezes clocks during pure computation (Spectre
// mitigation), so timing happens outside: bench/run.mjs times /run?n=N1 and /run?n=N2 and
// divides the difference by N2 - N1, which also cancels the request's fixed cost.
//   /run?impl=I&size=S&mode=M&n=N   N requests of mode M (write, read, mix) of implementation I
//                                   (index into IMPLS), S keys
//   /instantiate?n=N         N fresh instances of the package's (already compiled) wasm module
import { IMPLS, MODES, run, supports } from "../impls.mjs";
import wasm from "../../pkg/edge_session_bg.wasm";

const prepared = new Map();

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n") ?? 1);
    if (url.pathname === "/run") {
      const impl = IMPLS[Number(url.searchParams.get("impl"))];
      const size = Number(url.searchParams.get("size"));
      const mode = url.searchParams.get("mode") ?? "write";
      if (!impl || !Number.isInteger(size) || !MODES.includes(mode) || !supports(impl, mode)) {
        return new Response("bad impl, size or mode", { status: 400 });
      }
      const key = `${impl.name}/${size}/${mode}`;
      if (!prepared.has(key)) prepared.set(key, await impl.prepare(size));
      const last = await run(impl, prepared.get(key), n, 0, mode);
      return new Response(last.length.toString());
    }
    if (url.pathname === "/list") return Response.json(IMPLS.map((i) => ({ name: i.name, kind: i.kind })));
    if (url.pathname === "/instantiate") {
      // Instantiation calls no import (the module has no start function): placeholders of the
      // same names and kinds measure what the package's init does with the real glue.
      const imports = {};
      for (const { module, name } of WebAssembly.Module.imports(wasm)) (imports[module] ??= {})[name] = () => {};
      let exports;
      for (let i = 0; i < n; i++) exports = new WebAssembly.Instance(wasm, imports).exports;
      return new Response(String(Object.keys(exports).length));
    }
    return new Response("not found", { status: 404 });
  },
};
