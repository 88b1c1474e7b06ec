/**
 * Whether a stream gets ANSI colours: an explicit --color/--no-color wins, then FORCE_COLOR
 * (set and not "0"/"false" turns colour on, "0"/"false" off, as Node.js and chalk read it),
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
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env['NO_COLOR']) return false;
  return Boolean(stream.isTTY);
}
