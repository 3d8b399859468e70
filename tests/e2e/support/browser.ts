/**
 * Debian's Chromium driven by playwright-core, with probes that every e2e
 * test reads: console errors, CSP violations, layout shift, requests to the
 * widget's API, and requests that tried to leave the machine.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true }).catch((error: unknown) => {
    throw new Error(
      `Could not start Chromium at ${executablePath}. Install it with ` +
        '`apt-get update && apt-get install -y chromium`, or set CHROMIUM_PATH.\n' +
        (error instanceof Error ? error.message : String(error)),
    );
  });
}

/**
 * One Chromium for the calling test file: launched before its tests, closed
 * after them. Call it at the top of a file (or a describe); the getter gives
 * the browser inside tests.
 */
export function browserForFile(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('The browser is not launched yet: open pages inside a test.');
    return browser;
  };
}

export interface ProbedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions, in order, with the resource they concern when known. */
  errors: PageError[];
  /** Requests the page made to /api/spotify (full URLs), in order. */
  apiRequests: string[];
  /** Non-image requests to other hosts: the page must not need the internet. */
  externalRequests: string[];
  /** Blocked resources reported through `securitypolicyviolation`. */
  cspViolations(): Promise<string[]>;
  /** Cumulative layout shift since navigation (shifts without recent input). */
  layoutShift(): Promise<number>;
  close(): Promise<void>;
}

export interface PageError {
  text: string;
  url: string;
}

/**
 * Chromium logs every non-2xx fetch as a console error. When a test makes
 * Spotify fail on purpose, the island's request to /api/spotify failing is
 * the point, not a page error: drop exactly those, keep everything else.
 */
export function unexpectedErrors(errors: PageError[], { apiMayFail }: { apiMayFail: boolean }): string[] {
  return errors
    .filter((error) => !(apiMayFail && /Failed to load resource/.test(error.text) && new URL(error.url || 'about:blank', 'http://x').pathname === '/api/spotify'))
    .map((error) => `${error.text}${error.url ? ` (${error.url})` : ''}`);
}

export interface PageOptions {
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
  /** The visitor's prefers-reduced-motion setting; Chromium's default is no-preference. */
  reducedMotion?: 'reduce' | 'no-preference';
}

/** A stand-in for album art and artist photos, which live on Spotify's CDN and cannot load offline. */
const PLACEHOLDER_IMAGE =
  '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="300" viewBox="0 0 300 300">' +
  '<rect width="300" height="300" fill="#6b7280"/><circle cx="150" cy="150" r="60" fill="#d1d5db"/></svg>';

/** Runs in the page before any of its scripts (injected by CDP, so the page's CSP does not apply). */
function installProbes(): void {
  const probe = { cls: 0, csp: [] as string[] };
  (window as unknown as { __e2e: typeof probe }).__e2e = probe;
  document.addEventListener('securitypolicyviolation', (event) => {
    probe.csp.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline code'}`);
  });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) {
      if (!entry.hadRecentInput) probe.cls += entry.value;
    }
  }).observe({ type: 'layout-shift', buffered: true });
}

export async function openPage(browser: Browser, options: PageOptions = {}): Promise<ProbedPage> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
    reducedMotion: options.reducedMotion ?? 'no-preference',
  });
  const errors: PageError[] = [];
  const apiRequests: string[] = [];
  const externalRequests: string[] = [];

  await context.route(/^https:\/\//, async (route) => {
    const request = route.request();
    if (request.resourceType() === 'image') {
      await route.fulfill({ status: 200, contentType: 'image/svg+xml', body: PLACEHOLDER_IMAGE });
      return;
    }
    externalRequests.push(`${request.resourceType()} ${request.url()}`);
    await route.abort('blockedbyclient');
  });
  await context.addInitScript(installProbes);

  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push({ text: `console.error: ${message.text()}`, url: message.location().url });
  });
  page.on('pageerror', (error) => errors.push({ text: `uncaught: ${error.message}`, url: '' }));
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/spotify') apiRequests.push(request.url());
  });

  return {
    page,
    context,
    errors,
    apiRequests,
    externalRequests,
    cspViolations: () => page.evaluate(() => (window as unknown as { __e2e: { csp: string[] } }).__e2e.csp),
    layoutShift: () => page.evaluate(() => (window as unknown as { __e2e: { cls: number } }).__e2e.cls),
    close: () => context.close(),
  };
}
