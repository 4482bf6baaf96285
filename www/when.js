// A time for people, shared by the inspector page and the DevTools panel: local date and time, and
// how far it is from now ("in 10 min", "3 h ago"); `none` is said when there is no time.
"use strict";
self.edgeSessionWhen = function when(ms, none) {
  if (ms === null || ms === undefined) return none;
  const left = ms - Date.now();
  const abs = Math.abs(left);
  const span = abs >= 86400000 ? `${Math.round(abs / 86400000)} d` : abs >= 3600000 ? `${Math.round(abs / 3600000)} h`
    : abs >= 60000 ? `${Math.round(abs / 60000)} min` : `${Math.round(abs / 1000)} s`;
  return `${new Date(ms).toLocaleString()} (${left >= 0 ? `in ${span}` : `${span} ago`})`;
};
