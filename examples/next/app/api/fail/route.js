import { sessions } from "../../../lib/sessions.js";

// A route handler that fails: its change is not saved.
export const POST = sessions.route((request, { session }) => {
  session.set("user", "mallory");
  throw new Error("boom");
});
