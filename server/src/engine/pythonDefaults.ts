/**
 * Python's default start method by platform and version, and how messages and hovers say
 * which defaults a bug shows under for the project's Python version.
 *
 * The analysis itself never depends on the machine it runs on (the CLI in CI and the
 * editor must agree): unless a start method is pinned or configured, it reports what
 * breaks under *any* platform's default for the project's Python. The version only
 * sharpens the words: with a Python before 3.14, Linux still forks, so a bug that needs a
 * re-import shows there only from 3.14.
 */
import type { StartMethod } from './model';

export type Platform = 'Linux' | 'macOS' | 'Windows';
export const PLATFORMS: readonly Platform[] = ['Linux', 'macOS', 'Windows'];

/** `"3.12"` → [3, 12]; undefined for anything that is not `major.minor`. */
export function versionParts(version: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)$/.exec(version);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Negative when a < b, as for sort. */
export function compareVersions(a: string, b: string): number {
  const x = versionParts(a) ?? [0, 0];
  const y = versionParts(b) ?? [0, 0];
  return x[0] - y[0] || x[1] - y[1];
}

const atLeast = (version: string, min: string): boolean => compareVersions(version, min) >= 0;

/** The start method Python `version` uses on `platform` when the code does not choose one. */
export function defaultStartMethod(platform: Platform, version: string): StartMethod {
  switch (platform) {
    case 'Linux':
      return atLeast(version, '3.14') ? 'forkserver' : 'fork';
    case 'macOS':
      return atLeast(version, '3.8') ? 'spawn' : 'fork';
    case 'Windows':
      return 'spawn';
  }
}

/** The platforms on which `method` is the default for `version`. */
export function platformsDefaulting(method: StartMethod, version: string): Platform[] {
  return PLATFORMS.filter((p) => defaultStartMethod(p, version) === method);
}

/** The platforms whose default for `version` re-imports the main module (spawn, forkserver). */
function reimportingPlatforms(version: string): Platform[] {
  return PLATFORMS.filter((p) => defaultStartMethod(p, version) !== 'fork');
}

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * Where a bug that needs a re-import (spawn, forkserver) shows when the code does not pin
 * a start method, as words after "under spawn and forkserver": for an unknown version the
 * general rule; for a known one, which platforms' defaults for that version re-import and
 * — when Linux still forks — that Linux sees it only from Python 3.14.
 */
export function reimportDefaultsWords(version: string | undefined): string {
  if (version === undefined || !versionParts(version)) return '(the default on macOS and Windows, and on Linux from Python 3.14)';
  const on = reimportingPlatforms(version);
  if (on.length === PLATFORMS.length) return `(Python ${version}: the default everywhere)`;
  const later = PLATFORMS.filter((p) => !on.includes(p)).map((p) => `on ${p} from ${p === 'Linux' ? '3.14' : '3.8'}`);
  return `(Python ${version}: the default on ${list(on)}, ${list(later)})`;
}
