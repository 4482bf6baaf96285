// Types of the `edge-session/device-bound` entry: the default entry's API; its SessionManager also
// takes `deviceBound`, `deviceBoundMaxAge` and `deviceBoundPath` (W3C DBSC).
export * from "../index.js";
