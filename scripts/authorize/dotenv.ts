/**
 * Reading and editing a `.env` file as text, so that an edit keeps every other
 * line, comment and blank line exactly as the owner wrote it. Values are read
 * the way Node's `process.loadEnvFile` reads them (astro dev loads .env with
 * it), and written so that both readers get back exactly the value written.
 */

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/;

/** The values a file assigns; when a key is assigned twice the last assignment wins, as in Node. */
export function parseDotenv(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = ASSIGNMENT.exec(line);
    if (match) values[match[1]!] = unquote(match[2]!);
  }
  return values;
}

/**
 * Sets each key on the last line that assigns it (the one readers use) and
 * drops its earlier assignments, or appends it. Comments and other lines stay.
 */
export function setDotenvValues(text: string, values: Record<string, string>): string {
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  let lines = text === '' ? [] : text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();

  for (const [key, value] of Object.entries(values)) {
    const rendered = `${key}=${quote(value)}`;
    const assigns = (line: string) => ASSIGNMENT.exec(line)?.[1] === key;
    const last = lines.findLastIndex(assigns);
    if (last === -1) {
      lines.push(rendered);
      continue;
    }
    lines[last] = rendered;
    lines = lines.filter((line, index) => index >= last || !assigns(line));
  }
  return lines.join(newline) + newline;
}

/**
 * Node's reading: a quoted value ends at the first matching quote; single
 * quotes and backticks are literal; double quotes turn `\n` into a newline and
 * nothing else (a backslash stays a backslash). Unquoted, `#` starts a comment.
 */
function unquote(raw: string): string {
  const value = raw.trimStart();
  const quote = value[0];
  if (quote === '"' || quote === "'" || quote === '`') {
    const end = value.indexOf(quote, 1);
    if (end !== -1) {
      const inner = value.slice(1, end);
      return quote === '"' ? inner.replace(/\\n/g, '\n') : inner;
    }
  }
  return value.replace(/#.*$/, '').trim();
}

/** The inverse of `unquote`: the plainest form both readers give back unchanged. */
function quote(value: string): string {
  if (/^[A-Za-z0-9_\-.:/+=~@]*$/.test(value)) return value;
  if (!/[\r\n]/.test(value)) {
    if (!value.includes("'")) return `'${value}'`;
    if (!value.includes('`')) return `\`${value}\``;
    if (!value.includes('"') && !value.includes('\\n')) return `"${value}"`;
  } else if (!/[\r"]/.test(value) && !value.includes('\\n')) {
    return `"${value.replace(/\n/g, '\\n')}"`;
  }
  throw new Error('This value mixes quotes, backslashes and line breaks in a way a .env file cannot hold unchanged; set it in the environment instead.');
}
