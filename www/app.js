// The inspector: everything runs here, in the page (edge-session's WebAssembly, loaded from an
// embedded copy so the page also works when opened from disk).
"use strict";
(function () {
  const bytes = Uint8Array.from(atob(self.EDGE_SESSION_WASM), (c) => c.charCodeAt(0));
  wasm_bindgen.initSync({ module: bytes });
  const { inspect, SessionManager, generateKey } = wasm_bindgen;
  const $ = (id) => document.getElementById(id);

  const when = (ms) => self.edgeSessionWhen(ms, "never (a browser-session cookie)");

  function show(input) {
    const keys = $("keys").value.split("\n").map((k) => k.trim()).filter(Boolean);
    const r = inspect(input, { keys, cookieName: $("cookie-name").value.trim() || undefined, now: Date.now() });
    $("result").hidden = false;
    // The status is the core's answer, read or not (the CLI and the DevTools panel say the same).
    const status = $("status");
    status.textContent = r.status.message;
    status.dataset.code = r.status.code;
    status.className = r.ok ? "status ok" : r.status.code === "needs-key" ? "status" : "status bad";
    $("format").textContent = r.format ? r.format + (r.cipher ? ` (${r.cipher})` : "") : "unknown";
    $("name").textContent = r.cookieName ?? "—";
    $("key-id").textContent = r.keyId ?? "—";
    // A device-bound session (DBSC): the device key's thumbprint, and its bound cookie's expiry.
    $("device").textContent = r.deviceKey
      ? `bound to key ${r.deviceKey}${r.boundExpires === null ? "" : `; bound cookie expires ${when(r.boundExpires)}`}`
      : r.ok ? "not bound" : "—";
    $("expiry").textContent = r.ok ? when(r.expiry) : "—";
    $("issued").textContent = r.issued === null ? "—" : when(r.issued);
    $("bytes").textContent = `${r.bytes} of ${r.limit} bytes`;
    $("size").max = r.limit;
    $("size").value = Math.min(r.bytes, r.limit);
    const body = $("entries").tBodies[0];
    body.replaceChildren(...r.entries.map(([k, v]) => {
      const tr = document.createElement("tr");
      for (const text of [k, v]) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }));
    $("entries").hidden = r.entries.length === 0;
    $("warnings").replaceChildren(...r.warnings.map((w) => {
      const li = document.createElement("li");
      li.dataset.code = w.code;
      li.textContent = w.message;
      return li;
    }));
    $("warnings-title").hidden = r.warnings.length === 0;
  }

  $("inspect-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const error = $("inspect-error");
    error.hidden = true;
    try {
      show($("cookie").value);
    } catch (err) {
      // Misuse (a key that is no key): say so instead of failing silently.
      $("result").hidden = true;
      error.textContent = `${err.message}${err.code ? ` (${err.code})` : ""}`;
      error.hidden = false;
    }
  });

  $("add-row").addEventListener("click", () => {
    const row = document.createElement("div");
    row.className = "row";
    row.innerHTML = '<input aria-label="key" class="k"><input aria-label="value" class="v">';
    $("rows").append(row);
    row.querySelector(".k").focus();
  });

  $("generate-key").addEventListener("click", () => {
    $("build-key").value = generateKey();
  });

  $("build-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const error = $("build-error");
    error.hidden = true;
    // Both live in wasm memory until freed: freed on every path, thrown or not.
    let manager, session;
    try {
      const format = $("build-format").value;
      manager = new SessionManager({
        format,
        keys: format === "plain" ? undefined : [$("build-key").value.trim()],
        cookieName: $("build-name").value.trim() || "session",
        maxAge: Number($("build-max-age").value) || 0,
      });
      session = manager.load(null);
      for (const row of document.querySelectorAll("#rows .row")) {
        const k = row.querySelector(".k").value;
        if (k) session.set(k, row.querySelector(".v").value);
      }
      $("built").value = manager.save(session) ?? "";
    } catch (err) {
      error.textContent = `${err.message}${err.code ? ` (${err.code})` : ""}`;
      error.hidden = false;
    } finally {
      session?.free();
      manager?.free();
    }
  });
})();
