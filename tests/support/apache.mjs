// Test and benchmark support: Debian's Apache httpd 2.4, configured in a directory of its own on
// 127.0.0.1 (children run as www-data).
export const APACHE = "/usr/sbin/apache2";
export const MODULES = "/usr/lib/apache2/modules";

/** An httpd.conf for `dir` listening on `port`, loading `modules`, then `directives` (lines). */
export function httpdConf(dir, port, modules, directives) {
  return [
    `ServerRoot ${dir}`,
    `Listen 127.0.0.1:${port}`,
    "ServerName 127.0.0.1",
    `PidFile ${dir}/httpd.pid`,
    `ErrorLog ${dir}/error.log`,
    "LogLevel warn",
    "User www-data",
    "Group www-data",
    `DocumentRoot ${dir}`,
    ...modules.map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`),
    ...directives,
    "",
  ].join("\n");
}
