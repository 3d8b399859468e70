/**
 * Storing the owner's Spotify and Last.fm values on the linked Netlify site
 * with the Netlify CLI (`netlify env:set`). Secrets go in as secret values
 * for the deployed contexts, scoped to functions (the API function and the
 * page's server render both run as functions). Netlify refuses a secret
 * value in the `dev` context; `netlify dev` reads .env instead.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CREDENTIAL_VARS, DEPLOYED_CONTEXTS } from '../../src/lib/spotify/config';
import { RENEW_COMMAND } from '../../src/lib/spotify/rotation';

/** Spotify's credentials are stored as secrets; the issue time and the owner's account id are public. */
export const SPOTIFY_NETLIFY_VARS = [...CREDENTIAL_VARS, 'SPOTIFY_REFRESH_TOKEN_ISSUED_AT', 'SPOTIFY_OWNER_ID'] as const;
/** Last.fm's user name is public, its API key a secret. LASTFM_API_URL is for fakes and stays local. */
export const LASTFM_NETLIFY_VARS = ['LASTFM_USER', 'LASTFM_API_KEY'] as const;
export const NETLIFY_VARS = [...SPOTIFY_NETLIFY_VARS, ...LASTFM_NETLIFY_VARS] as const;
const SECRET_VARS = new Set<string>([...CREDENTIAL_VARS, 'LASTFM_API_KEY']);
/** Stored when set; without it the widget works, but /connect cannot renew the connection. */
const OPTIONAL_VARS = new Set<string>(['SPOTIFY_OWNER_ID']);

/** How the owner renews the connection: on the live site, or from a clone of the project. */
export const RENEW_HINT = `on /connect on your site, or with \`${RENEW_COMMAND}\``;

/** Runs the Netlify CLI with arguments; resolves with its exit code and combined output. */
export type NetlifyRunner = (args: string[]) => Promise<{ code: number; output: string }>;

/** Arguments for `netlify env:set`, in the order to try: the first creates, the second updates an existing variable. */
export function envSetAttempts(key: string, value: string): string[][] {
  if (!SECRET_VARS.has(key)) return [['env:set', key, value, '--scope', 'functions', '--force']];
  const create = ['env:set', key, value, '--secret', '--context', ...DEPLOYED_CONTEXTS, '--scope', 'functions', '--force'];
  // The CLI refuses --context with --scope on an existing variable: update its values only.
  const update = ['env:set', key, value, '--secret', '--context', ...DEPLOYED_CONTEXTS, '--force'];
  return [create, update];
}

/** The command as the owner would type it, with the value left for them to fill in. */
export function envSetCommand(key: string): string {
  const args = envSetAttempts(key, `<${key}>`)[0]!;
  return `npx netlify ${args.map((arg) => (arg.startsWith('<') ? `"${arg}"` : arg)).join(' ')}`;
}

export interface PushReport {
  ok: boolean;
  lines: string[];
}

/**
 * The variables to store: Spotify's unless Last.fm alone is set up (no
 * Spotify credential at all), and Last.fm's when either of its two is set.
 */
export function varsToStore(values: Record<string, string | undefined>): string[] {
  const lastfm = LASTFM_NETLIFY_VARS.some((key) => values[key]);
  const spotify = !lastfm || CREDENTIAL_VARS.some((key) => values[key]);
  return [...(spotify ? SPOTIFY_NETLIFY_VARS : []), ...(lastfm ? LASTFM_NETLIFY_VARS : [])];
}

const LASTFM_FIXES: Record<(typeof LASTFM_NETLIFY_VARS)[number], string> = {
  LASTFM_USER: 'Set LASTFM_USER in .env to your Last.fm user name',
  LASTFM_API_KEY: 'Create an API key at https://www.last.fm/api/account/create and set LASTFM_API_KEY in .env',
};

export async function pushToNetlify(values: Record<string, string>, run: NetlifyRunner): Promise<PushReport> {
  const lines: string[] = [];
  const keys = varsToStore(values);
  // Half of Last.fm's pair would make the site refuse to start: store neither.
  const halfLastfm = LASTFM_NETLIFY_VARS.find((key) => keys.includes(key) && !values[key]);
  if (halfLastfm) {
    lines.push(`✗ ${halfLastfm} is not set in .env (nor in the shell), and Last.fm needs both LASTFM_USER and LASTFM_API_KEY, so nothing was stored on Netlify.`);
    lines.push(`  ${LASTFM_FIXES[halfLastfm]}, then run \`npm run netlify:env\` again.`);
    return { ok: false, lines };
  }
  if (!keys.includes('SPOTIFY_CLIENT_ID')) {
    lines.push('· Spotify is not in use (no SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET or SPOTIFY_REFRESH_TOKEN in .env): storing Last.fm only.');
  }
  for (const key of keys) {
    const value = values[key];
    if (!value && OPTIONAL_VARS.has(key)) {
      lines.push(`! ${key} is not set in .env (nor in the shell), so it was not stored on Netlify: renewing from /connect stays off. Run \`npm run authorize -- --netlify\` to record it.`);
      continue;
    }
    if (!value) {
      lines.push(`✗ ${key} is not set in .env (nor in the shell), so it was not stored on Netlify. Run \`npm run authorize\` first.`);
      return { ok: false, lines };
    }
    let last = { code: 1, output: '' };
    for (const args of envSetAttempts(key, value)) {
      last = await run(args);
      if (last.code === 0 || !/context and scope at the same time/i.test(last.output)) break;
    }
    if (last.code !== 0) {
      // The output can echo the value: print only what the CLI said, minus it.
      lines.push(`✗ Netlify refused ${key}: ${redact(last.output, value).trim().split('\n').slice(-3).join(' ')}`);
      lines.push(`  Check \`npx netlify status\`, then run \`npm run netlify:env\` again.`);
      return { ok: false, lines };
    }
    lines.push(`✓ ${key} stored on the Netlify site${SECRET_VARS.has(key) ? ' (secret, functions scope, deployed contexts)' : ' (functions scope)'}`);
  }
  lines.push('Netlify applies new values on the next deploy: run `npm run deploy`.');
  return { ok: true, lines };
}

/** `keys`: the variables to name, Spotify's unless said (see varsToStore). */
export function notLinkedMessage(keys: readonly string[] = SPOTIFY_NETLIFY_VARS): string[] {
  return [
    'No Netlify site is linked to this folder, so nothing was stored on Netlify. Run:',
    '  npx netlify login',
    '  npx netlify link      (or `npx netlify sites:create --name your-widget-name` for a new site)',
    '  npm run netlify:env   (stores the values from .env on the site)',
    'or set each value yourself:',
    ...keys.map((key) => `  ${envSetCommand(key)}`),
  ];
}

/** The Netlify CLI finds the site from NETLIFY_SITE_ID or the `.netlify/state.json` that `netlify link` writes. */
export async function isNetlifyLinked(projectDir: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  if (env.NETLIFY_SITE_ID) return true;
  try {
    const state = JSON.parse(await readFile(join(projectDir, '.netlify', 'state.json'), 'utf8')) as { siteId?: unknown };
    return typeof state.siteId === 'string' && state.siteId !== '';
  } catch {
    return false;
  }
}

/**
 * The linked site's URL (`netlify status --json`), or null when no site is
 * linked or the CLI cannot say (not logged in, offline). It costs the CLI's
 * start and one API call, so callers ask only when they print the URL.
 */
export async function linkedSiteUrl(projectDir: string, env: NodeJS.ProcessEnv, run: NetlifyRunner): Promise<string | null> {
  if (!(await isNetlifyLinked(projectDir, env))) return null;
  const { code, output } = await run(['status', '--json']);
  if (code !== 0) return null;
  try {
    const status = JSON.parse(output.slice(output.indexOf('{'), output.lastIndexOf('}') + 1)) as { siteData?: Record<string, unknown> | null };
    const url = status.siteData?.['site-url'];
    return typeof url === 'string' && /^https?:\/\/[^\s<>]+$/.test(url) ? url.replace(/\/+$/, '') : null;
  } catch {
    return null;
  }
}

/** The project's own Netlify CLI, run with this Node (no shell, so values are never re-parsed). */
export function netlifyCliRunner(cwd: string, options: { timeoutMs?: number } = {}): NetlifyRunner {
  const require = createRequire(import.meta.url);
  const bin = join(dirname(require.resolve('netlify-cli/package.json')), 'bin', 'run.js');
  return (args) =>
    new Promise((resolve) => {
      execFile(process.execPath, [bin, ...args], { cwd, env: { ...process.env, BROWSER: 'none' }, timeout: options.timeoutMs ?? 0 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      });
    });
}

function redact(text: string, secret: string): string {
  return secret ? text.split(secret).join('[hidden]') : text;
}
