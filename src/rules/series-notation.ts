/**
 * promtool's expanding notation for test input: `1 2 3`, `0+10x5`
 * (0 10 20 30 40 50), `5-1x3` (5 4 3 2), `7x3` (7 7 7 7), `_` (no value),
 * `_x3` (four gaps). Returns one entry per step; undefined is a gap.
 */
export function expandSeries(text: string): (number | undefined)[] | string {
  const out: (number | undefined)[] = [];
  for (const token of text.trim().split(/\s+/)) {
    if (!token) continue;
    let m: RegExpExecArray | null;
    if (token === '_') out.push(undefined);
    else if ((m = /^_x(\d+)$/.exec(token))) for (let i = 0; i <= Number(m[1]); i++) out.push(undefined);
    else if ((m = /^(-?\d+(?:\.\d+)?(?:e-?\d+)?)(?:([+-])(\d+(?:\.\d+)?(?:e-?\d+)?))?x(\d+)$/.exec(token))) {
      const start = Number(m[1]);
      const step = m[3] ? Number(m[3]) * (m[2] === '-' ? -1 : 1) : 0;
      for (let i = 0; i <= Number(m[4]); i++) out.push(Number((start + step * i).toPrecision(12)));
    } else if (/^-?\d+(?:\.\d+)?(?:e-?\d+)?$/.test(token)) out.push(Number(token));
    else return `cannot read "${token}" in "${text}": write numbers, _ for a gap, or a+bxN / axN`;
  }
  return out;
}
