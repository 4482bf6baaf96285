// The edge-session DevTools panel: the inspected page's cookies (HttpOnly ones included, through
// chrome.cookies), the session cookies among them recognised and inspected with the same
// WebAssembly and inspect() as the paste-in page (www/), updated as cookies change. The extension
// holds no host access when installed: it asks for the inspected site's, at run time, when you
// press the panel's button (chrome.permissions.request), and reads that site's cookies only.
"use strict";
(function () {
  const bytes = Uint8Array.from(atob(self.EDGE_SESSION_WASM), (c) => c.charCodeAt(0));
  wasm_bindgen.initSync({ module: bytes });
  const { inspect } = wasm_bindgen;
  const $ = (id) => document.getElementById(id);
  const el = (tag, props = {}, ...children) => {
    const e = Object.assign(document.createElement(tag), props);
    e.append(...children);
    return e;
  };

  /** The page: the inspected window's URL in DevTools, or ?url= when the panel is opened alone. */
  function pageUrl() {
    const param = new URLSearchParams(location.search).get("url");
    if (param) return Promise.resolve(param);
    return new Promise((resolve) => chrome.devtools.inspectedWindow.eval("location.href", (href) => resolve(String(href))));
  }

  const keys = () => $("keys").value.split("\n").map((k) => k.trim()).filter(Boolean);

  const when = (ms) => self.edgeSessionWhen(ms, "none");

  /** Whole cookies, and chunked sessions (NAME.0, NAME.1, …) as one Cookie header each. */
  function candidates(cookies) {
    const chunk = /^(.+)\.(\d+)$/;
    const bases = new Set(cookies.map((c) => chunk.exec(c.name)).filter((m) => m && m[2] === "0").map((m) => m[1]));
    const out = [];
    for (const base of bases) {
      const parts = cookies.filter((c) => chunk.exec(c.name)?.[1] === base);
      out.push({ name: base, chunks: parts.length, header: parts.map((c) => `${c.name}=${c.value}`).join("; "), cookie: parts[0] });
    }
    for (const c of cookies) {
      const m = chunk.exec(c.name);
      if (m && bases.has(m[1])) continue;
      // A device-bound session's bound cookie goes along, so that its expiry is read too.
      const bound = cookies.find((b) => b.name === `${c.name}_bound`);
      const header = `${c.name}=${c.value}${bound ? `; ${bound.name}=${bound.value}` : ""}`;
      out.push({ name: c.name, chunks: 0, header, cookie: c });
    }
    return out;
  }

  function card(item, r) {
    // The core's status, read or not (the CLI and the inspector page say the same).
    const status = el("span", { className: r.ok ? "status ok" : "status bad", textContent: r.status.message });
    const c = item.cookie;
    const flags = [c.httpOnly && "HttpOnly", c.secure && "Secure", c.sameSite && c.sameSite !== "unspecified" && `SameSite=${c.sameSite}`]
      .filter(Boolean).join(", ") || "none";
    const facts = el("dl", { className: "facts" });
    const fact = (k, v) => facts.append(el("dt", { textContent: k }), el("dd", {}, v));
    fact("format", `${r.format}${r.cipher ? ` (${r.cipher})` : ""}${item.chunks ? `, chunked in ${item.chunks} cookies` : ""}`);
    fact("status", status);
    fact("key id", r.keyId ?? "—");
    if (r.ok && r.format === "sealed") {
      // A device-bound session (DBSC): the device key's thumbprint and the bound cookie's expiry.
      const bound = r.boundExpires === null ? "" : `; bound cookie expires ${when(r.boundExpires)}`;
      fact("device-bound", r.deviceKey ? `yes, key ${r.deviceKey}${bound}` : "no");
    }
    fact("size", el("span", {}, el("meter", { min: 0, max: r.limit, value: r.bytes, high: r.limit * 0.9 }), ` ${r.bytes} of ${r.limit} bytes`));
    fact("expires", when(r.expiry ?? (c.expirationDate ? c.expirationDate * 1000 : null)));
    fact("issued", when(r.issued));
    fact("attributes", flags);
    const box = el("section", { className: "card" }, el("h2", { textContent: item.name }), facts);
    if (r.entries.length) {
      const table = el("table", {}, el("tr", {}, el("th", { textContent: "key" }), el("th", { textContent: "value" })));
      for (const [k, v] of r.entries) table.append(el("tr", {}, el("td", { textContent: k }), el("td", { textContent: v })));
      box.append(table);
    }
    if (r.warnings.length) box.append(el("ul", { className: "warnings" }, ...r.warnings.map((w) => el("li", { textContent: `${w.code}: ${w.message}` }))));
    return box;
  }

  /**
   * The host permission pattern of a page: its scheme and host, every port and path
   * (`https://a.example/*`). Cookies belong to a host, not to a port: chrome.cookies checks the
   * permission on the cookie's host.
   */
  const originPattern = (url) => {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}/*`;
  };

  /** Whether the extension may read `url`'s cookies; when not, the button that asks is shown. */
  async function mayRead(url) {
    if (!/^https?:/.test(url)) return false;
    const origins = [originPattern(url)];
    const granted = await chrome.permissions.contains({ origins });
    $("access").hidden = granted;
    $("access-origin").textContent = originPattern(url).slice(0, -2);
    return granted;
  }

  $("grant").addEventListener("click", async () => {
    // A user gesture: Chrome shows its own prompt for this one site.
    const url = await pageUrl();
    if (/^https?:/.test(url) && (await chrome.permissions.request({ origins: [originPattern(url)] }))) schedule();
  });

  let pending = false;
  async function render() {
    pending = false;
    const url = await pageUrl();
    $("url").textContent = url;
    const cookies = (await mayRead(url)) ? await chrome.cookies.getAll({ url }) : [];
    const now = Date.now();
    const cards = [];
    const others = [];
    for (const item of candidates(cookies)) {
      const r = inspect(item.header, { keys: keys(), cookieName: item.name, now });
      if (r.format === null) others.push(item.name);
      else cards.push(card(item, r));
    }
    $("cookies").replaceChildren(...cards);
    $("summary").textContent = ` · ${cards.length} session cookie${cards.length === 1 ? "" : "s"}`;
    $("others").textContent = others.length ? `Other cookies (not sessions): ${others.join(", ")}` : "";
    $("key-count").textContent = keys().length ? `${keys().length} given` : "none";
    document.body.dataset.rendered = String(Number(document.body.dataset.rendered ?? 0) + 1);
  }
  const schedule = () => {
    if (!pending) {
      pending = true;
      setTimeout(render, 50);
    }
  };

  chrome.storage.session.get("keys").then(({ keys: saved }) => {
    if (typeof saved === "string") $("keys").value = saved;
    render();
  });
  $("keys").addEventListener("input", () => {
    chrome.storage.session.set({ keys: $("keys").value });
    schedule();
  });
  chrome.cookies.onChanged.addListener(schedule);
  chrome.permissions.onAdded.addListener(schedule);
  chrome.permissions.onRemoved.addListener(schedule);
  if (chrome.devtools?.network?.onNavigated) chrome.devtools.network.onNavigated.addListener(schedule);
})();
