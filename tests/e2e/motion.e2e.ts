/**
 * prefers-reduced-motion on the production build: the equalizer bars beside
 * "Now playing" animate by default and stand still for visitors who ask for
 * less motion. (The progress bar's locally moving position is covered by the
 * component tests.)
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { closeAfterTest } from './support/artifacts';
import { browserForFile, openPage } from './support/browser';
import { useScenario } from '../../test-support/fake-spotify/control';
import { waitForHydration, waitForState } from './support/widget';

const siteUrl = inject('siteUrl');
const fakeUrl = inject('fakeUrl');

const browser = browserForFile();

/** Each equalizer bar's CSS animation name and whether an animation of it is running. */
function bars(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('[data-widget="listening"] .lw-eq i')].map((bar) => ({
      animation: getComputedStyle(bar).animationName,
      running: bar.getAnimations().some((animation) => animation.playState === 'running'),
    })),
  );
}

describe('the equalizer bars', () => {
  it.for([
    ['no-preference', { animation: 'lw-eq', running: true }],
    ['reduce', { animation: 'none', running: false }],
  ] as const)('with prefers-reduced-motion: %s', async ([reducedMotion, expected], context) => {
    await useScenario(fakeUrl, 'playing');
    const probe = await openPage(browser(), { reducedMotion });
    closeAfterTest(context, probe, `motion-${reducedMotion}`);
    await probe.page.goto(`${siteUrl}/`);
    await waitForHydration(probe.page);
    await waitForState(probe.page, 'playing');
    expect(await bars(probe.page)).toEqual([expected, expected, expected]);
  });
});
