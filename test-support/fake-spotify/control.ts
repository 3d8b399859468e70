/** Drives the HTTP fake Spotify that the served site talks to. */
import type { ScenarioName } from './scenarios';
import type { FakeControl } from './server';

export interface FakeState {
  scenario: ScenarioName;
  delayMs: number;
  /** How many requests the fake has answered since it was (re)started. */
  requests: number;
  acceptedRefreshToken: string | null;
  /** The account the accepted refresh token belongs to (what `/v1/me` answers for its access tokens). */
  refreshTokenAccount: string;
  /** The account the consent page signs in as: `{"account": "someone-else"}` changes it. */
  account: string;
  /** True while the consent page answers `error=access_denied`: `{"deny": true}` sets it. */
  deny: boolean;
  /** Requests per path since the (re)start: `/api/token` counts token exchanges, `/v1/…` the API reads. */
  byPath: Record<string, number>;
}

export async function controlFake(fakeUrl: string, control: FakeControl & { scenario?: ScenarioName }): Promise<FakeState> {
  const response = await fetch(`${fakeUrl}/__control`, { method: 'POST', body: JSON.stringify(control) });
  if (!response.ok) throw new Error(`The fake Spotify refused ${JSON.stringify(control)}: ${await response.text()}`);
  return (await response.json()) as FakeState;
}

export async function fakeState(fakeUrl: string): Promise<FakeState> {
  const response = await fetch(`${fakeUrl}/__state`);
  return (await response.json()) as FakeState;
}

/** A fresh fake in the given scenario, with an empty request log (the accepted refresh token carries over). */
export const useScenario = (fakeUrl: string, scenario: ScenarioName) => controlFake(fakeUrl, { reset: true, scenario });
