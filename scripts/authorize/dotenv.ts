/**
 * Reading and editing a `.env` file as text, so that an edit keeps every other
 * line, comment and blank line exactly as the owner wrote it.
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

function unquote(raw: string): string {
  const value = raw.trim();
  const quoted = /^(['"`])(.*)\1$/.exec(value);
  if (quoted) return quoted[1] === '"' ? quoted[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"') : quoted[2]!;
  // An unquoted value ends at a comment that follows whitespace.
  return value.replace(/\s+#.*$/, '');
}

function quote(value: string): string {
  if (/^[A-Za-z0-9_\-.:/+=~@]*$/.test(value)) return value;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
