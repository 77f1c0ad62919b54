// The signed-in session as the page knows it: who, which role, and the CSRF token that every
// state-changing request of the session carries (the server hands it out with the sign-in answer
// and with /api/auth/me, and keeps it in the session).
const ROLES = ['viewer', 'operator', 'admin'];
let csrfToken = null;
let current = { authenticated: false };

export function remember(me) {
  current = me || { authenticated: false };
  csrfToken = current.csrfToken || null;
}

export function me() {
  return current;
}

/** Whether the signed-in caller holds at least this role (viewer < operator < admin). */
export function hasRole(role) {
  return !!current.authenticated && ROLES.indexOf(current.role) >= ROLES.indexOf(role);
}

export function changing(method) {
  const headers = {};
  if (csrfToken) headers['X-CSRF-TOKEN'] = csrfToken;
  return { method, headers, credentials: 'same-origin' };
}

/**
 * Sends a request with the session's CSRF token and a JSON body, and answers {ok, status, body}
 * (body parsed when it is JSON, else null): the caller shows the API's reason on a refusal.
 */
export async function send(method, url, body) {
  const options = changing(method);
  if (body !== undefined) {
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(body);
  }
  const res = await fetch(url, options);
  const parsed = await res.json().catch(() => null);
  return { ok: res.ok, status: res.status, body: parsed };
}

/** The reason of a refused answer, for a person to read. */
export function reason(answer) {
  return (answer.body && answer.body.error) || ('HTTP ' + answer.status);
}
