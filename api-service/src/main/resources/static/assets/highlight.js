// Matched words of a search, marked in the cards. The text is split into text nodes and <mark>
// elements built with the DOM: agent text never becomes markup.

/** The words of q as the API matches them (letters and digits, lower-cased). */
export function wordsOf(q) {
  return [...new Set(String(q || '').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean))];
}

/**
 * Appends text to node with every word that starts with one of the query words marked (the part
 * that matched): the last word of a query is matched as a prefix while it is typed.
 */
export function appendMarked(node, text, words) {
  const value = String(text ?? '');
  if (!words.length) {
    node.append(value);
    return node;
  }
  let at = 0;
  for (const m of value.matchAll(/[\p{L}\p{N}]+/gu)) {
    const token = m[0].toLowerCase();
    const hit = words.filter((w) => token.startsWith(w)).sort((a, b) => b.length - a.length)[0];
    if (!hit) continue;
    // the token's length in the original text (lower-casing may change lengths only outside ASCII)
    const length = token.length === m[0].length ? hit.length : m[0].length;
    if (m.index > at) node.append(value.slice(at, m.index));
    const mark = document.createElement('mark');
    mark.textContent = value.slice(m.index, m.index + length);
    node.append(mark);
    at = m.index + length;
  }
  if (at < value.length) node.append(value.slice(at));
  return node;
}
