/**
 * Parses fping's `-C N -q` summary, one line per host on stderr:
 *
 *     127.0.0.1 : 0.05 0.04 - 0.03
 *
 * where `-` is a request that got no reply. Other stderr lines (ICMP errors,
 * warnings) are ignored here. A host listed twice keeps its first line.
 */
export function parseFpingCounts(stderr: string): Map<string, (number | null)[]> {
  const out = new Map<string, (number | null)[]>();
  for (const line of stderr.split('\n')) {
    const m = /^(\S+)\s+:\s+((?:(?:\d+(?:\.\d+)?|-)\s*)+)$/.exec(line.trim());
    if (!m || out.has(m[1]!)) continue;
    out.set(m[1]!, m[2]!.trim().split(/\s+/).map((v) => (v === '-' ? null : Number(v))));
  }
  return out;
}
