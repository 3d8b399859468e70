/**
 * Reading and editing a `.env` file as text, so that an edit keeps every other
 * line, comment and blank line exactly as the owner wrote it.
 */

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/;

export function parseDotenv(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = ASSIGNMENT.exec(line);
    if (match) values[match[1]!] = unquote(match[2]!);
  }
  return values;
}

/**
 * Sets each key on the line that already assigns it, or appends it. Keys set
 * to the same value leave the text unchanged.
 */
export function setDotenvValues(text: string, values: Record<string, string>): string {
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text === '' ? [] : text.split(/\r?\n/);
  const endsWithNewline = lines.length > 0 && lines[lines.length - 1] === '';
  if (endsWithNewline) lines.pop();

  for (const [key, value] of Object.entries(values)) {
    const rendered = `${key}=${quote(value)}`;
    const index = lines.findIndex((line) => ASSIGNMENT.exec(line)?.[1] === key);
    if (index === -1) lines.push(rendered);
    else lines[index] = rendered;
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
