// Types of the `edge-session/full` entry: the default entry's API (its SessionManager also takes
// `format: "apache"`) and `inspect`.
export * from "../index.js";
export { inspect, InspectOptions, Inspection } from "../../pkg/full/edge_session.js";
