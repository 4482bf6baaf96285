import { nextSession } from "edge-session/next";
import { respond } from "../../../app.mjs";

let sessions;
const handler = (request, context) => {
  sessions ??= nextSession(JSON.parse(process.env.PARITY_OPTIONS));
  return sessions.route((req, { session }) => respond(req, session))(request, context);
};
export const GET = handler;
export const POST = handler;
export const dynamic = "force-dynamic";
