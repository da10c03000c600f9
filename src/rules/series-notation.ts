/**
 * promtool's expanding notation for test input: `1 2 3`, `0+10x5`
 * (0 10 20 30 40 50), `5-1x3` (5 4 3 2), `7x3` (7 7 7 7), `_` (no value),
 * `_x3` (four gaps). kpid adds `(…)*N`: the group repeated N times, for
 * weeks of a daily or weekly pattern (`(1 1 5 5)*28` at interval 6h is
 * four weeks). Returns one entry per step; undefined is a gap.
 */
export function expandSeries(text: string): (number | undefined)[] | string {
  const out: (number | undefined)[] = [];
  const GROUP = /\(([^()]*)\)\*(\d+)/g;
  let last = 0;
  for (let m = GROUP.exec(text); m; m = GROUP.exec(text)) {
    const before = expandTokens(text.slice(last, m.index), text);
    const inner = expandTokens(m[1]!, text);
    if (typeof before === 'string') return before;
    if (typeof inner === 'string') return inner;
    out.push(...before);
    for (let i = 0; i < Number(m[2]); i++) out.push(...inner);
    last = m.index + m[0].length;
  }
  const rest = expandTokens(text.slice(last), text);
  if (typeof rest === 'string') return rest;
  out.push(...rest);
  return out;
}

function expandTokens(part: string, text: string): (number | undefined)[] | string {
  const out: (number | undefined)[] = [];
  for (const token of part.trim().split(/\s+/)) {
    if (!token) continue;
    let m: RegExpExecArray | null;
    if (token === '_') out.push(undefined);
    else if ((m = /^_x(\d+)$/.exec(token))) for (let i = 0; i <= Number(m[1]); i++) out.push(undefined);
    else if ((m = /^(-?\d+(?:\.\d+)?(?:e-?\d+)?)(?:([+-])(\d+(?:\.\d+)?(?:e-?\d+)?))?x(\d+)$/.exec(token))) {
      const start = Number(m[1]);
      const step = m[3] ? Number(m[3]) * (m[2] === '-' ? -1 : 1) : 0;
      for (let i = 0; i <= Number(m[4]); i++) out.push(Number((start + step * i).toPrecision(12)));
    } else if (/^-?\d+(?:\.\d+)?(?:e-?\d+)?$/.test(token)) out.push(Number(token));
    else return `cannot read "${token}" in "${text}": write numbers, _ for a gap, a+bxN / axN, or (…)*N to repeat a group`;
  }
  return out;
}
