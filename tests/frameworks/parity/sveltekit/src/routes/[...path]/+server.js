import { respond } from "../../../../app.mjs";

export const fallback = ({ request, locals }) => respond(request, locals.session);
