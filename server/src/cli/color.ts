/**
 * Whether a stream gets ANSI colours: an explicit --color/--no-color wins, then FORCE_COLOR
 * as Node.js reads it ("1", "2", "3", "true" or empty turn colour on, any other value off),
 * then NO_COLOR (set and non-empty turns it off, https://no-color.org), then whether the
 * stream is a terminal.
 */
export function useColor(
  flag: boolean | undefined,
  stream: { isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  if (flag !== undefined) return flag;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return ['', '1', '2', '3', 'true'].includes(force);
  if (env['NO_COLOR']) return false;
  return Boolean(stream.isTTY);
}
