// Types of the public API. The classes are generated from the Rust sources by wasm-bindgen.
export {
  Session,
  SessionManager,
  SessionManagerOptions,
  SessionStatus,
  generateKey,
} from "../pkg/edge_session.js";
