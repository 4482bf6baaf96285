// Adds the edge-session panel to DevTools.
chrome.devtools.panels.create("edge-session", "", "panel.html");
