// Types of `edge-session/flow`: the front proxy's plans, for faces and adapters.
import type { SessionManager, Session } from "./index.js";
import type { RequestPlan, ResponsePlan, OriginFailure } from "../pkg/edge_session.js";

export type { HeaderOp, LogNotice, RequestPlan, ResponsePlan, OriginFailure, SaveOutcome } from "../pkg/edge_session.js";

/** The plans over one manager (of either entry), as its face executes them. */
export interface Flow {
  /** The request's plan: its method; the host and target (path and query) the origin receives; its headers. */
  planRequest(method: string, host: string, target: string, headers: Iterable<[string, string]> | Array<[string, string]>, nowMs?: number | null): RequestPlan;
  /** The response's plan: merges the origin's SessionHeader into `session`, saves it, says what to send and log. */
  planResponse(session: Session, headers: Iterable<[string, string]> | Array<[string, string]>, nowMs?: number | null): ResponsePlan;
  /** The response's plan outside include / exclude (no session): the SessionHeader still goes. */
  planPassthrough(headers: Iterable<[string, string]> | Array<[string, string]>): ResponsePlan;
  /** What to answer when the origin fails. */
  originFailure(error: string): OriginFailure;
}

/** The plans over `manager`, a SessionManager of `edge-session` or `edge-session/full`. */
export declare function flow(manager: SessionManager): Flow;
