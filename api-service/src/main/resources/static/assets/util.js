// Shared by the catalog and the agent detail. Agent data only ever reaches the page through
// textContent and attribute values (never markup), and links only when they are http(s).

export const $ = (id) => document.getElementById(id);

/** An element with attributes and text; text is set with textContent, so it is never parsed as HTML. */
export function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? '' : String(v));
  }
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** The URL when it is absolute http(s), else null: a javascript: or data: URL never becomes a link. */
export function httpUrl(value) {
  if (typeof value !== 'string') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * The icon to show, or null. The Content-Security-Policy loads images from this origin only: an icon
 * elsewhere would tell its host who looks at the catalog, so it is linked (detail page), not loaded.
 */
export function iconElement(value, size, label) {
  const url = httpUrl(value);
  if (url && new URL(url).origin === location.origin) {
    const img = el('img', { class: 'icon', alt: '', width: size, height: size, src: url });
    img.addEventListener('error', () => img.replaceWith(monogram(label, size)), { once: true });
    return img;
  }
  return monogram(label, size);
}

function monogram(label, size) {
  const letter = Array.from(String(label || '?').trim())[0] || '?';
  return el('span', { class: 'icon monogram monogram-' + size, 'aria-hidden': 'true' }, letter.toUpperCase());
}

/** An anchor to an external http(s) URL, or null for anything else. */
export function externalLink(href, text) {
  const url = httpUrl(href);
  if (!url) return null;
  return el('a', { href: url, rel: 'noopener noreferrer', target: '_blank' }, text || url);
}

export function formatTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Thrown for an answer that is not 2xx, with the API's reason. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * GET a JSON answer. A 429 or 503 is waited out politely: the page waits the Retry-After the API
 * sends (1 to 60 s), tells the user through onWait, then asks again, a few times at most.
 */
export async function getJson(url, { onWait, isStale } = {}) {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if ((res.status === 429 || res.status === 503) && attempt < 4) {
      const seconds = Math.min(60, Math.max(1, parseInt(res.headers.get('Retry-After'), 10) || 2));
      if (onWait) onWait(seconds, res.status);
      await sleep(seconds * 1000);
      if (isStale && isStale()) throw new ApiError(0, 'superseded');
      continue;
    }
    const body = await res.json().catch(() => null);
    if (!res.ok) throw new ApiError(res.status, (body && body.error) || ('HTTP ' + res.status));
    return body;
  }
}

/** The page address of an agent: the path form when the servlet container accepts it, else the query form. */
export function agentPath(registryId, handle) {
  const segments = String(handle).split('/');
  const pathSafe = segments.every((s) => s !== '' && s !== '.' && s !== '..') && !/[%;\\]/.test(handle);
  if (pathSafe) {
    return '/marketplace/' + encodeURIComponent(registryId) + '/' + segments.map(encodeURIComponent).join('/');
  }
  return '/marketplace/agent?' + new URLSearchParams({ registryId, handle });
}

/** The proof badge of an agent, or null when there is nothing to say (no field, unsigned, none). */
export function proofBadge(proof) {
  if (!proof || typeof proof !== 'object' || typeof proof.status !== 'string') return null;
  if (proof.status === 'valid') {
    const title = proof.signingKid ? 'Signed with key ' + proof.signingKid : 'Record proof verified';
    return el('span', { class: 'badge badge-valid', title }, 'Verified');
  }
  if (proof.status === 'invalid') {
    return el('span', { class: 'badge badge-invalid', title: proof.reason || 'The record proof does not verify' },
      'Invalid signature');
  }
  if (proof.status === 'unsigned') {
    return el('span', { class: 'badge badge-unsigned' }, 'Unsigned');
  }
  return null;
}
