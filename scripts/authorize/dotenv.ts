/**
 * Writing a `.env` file as text, so that an edit keeps every other line,
 * comment and blank line exactly as the owner wrote it. Reading is Node's
 * `util.parseEnv`, the parser `process.loadEnvFile` uses (astro dev loads .env
 * with it); neither Node nor dotenv writes, so this module does, in the forms
 * that parser gives back unchanged.
 */

/** Which lines assign which key: an edit replaces the line Node would read. */
const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/;

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
 * The plainest form Node's parser gives back unchanged. How it reads: a quoted
 * value ends at the first matching quote; single quotes and backticks are
 * literal; double quotes turn `\n` into a newline and nothing else (a
 * backslash stays a backslash). Unquoted, `#` starts a comment and the value is trimmed.
 */
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
