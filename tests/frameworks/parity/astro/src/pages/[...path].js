import { respond } from "../../../app.mjs";

export const ALL = ({ request, locals }) => respond(request, locals.session);
