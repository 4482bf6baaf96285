// Every request: a client-sent X-Session removed, the session's set for the app.
import { sessions } from "./lib/sessions.js";

export const proxy = sessions.proxy;
