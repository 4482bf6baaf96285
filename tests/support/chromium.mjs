// Test support: launch options for Debian's Chromium under playwright-core. Without the
// background-networking flags, Chromium's own connections are refused by this machine's closed
// network, many at a time.
export const CHROMIUM = {
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
};
