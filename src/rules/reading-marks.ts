/**
 * Which KPI and scope pairs one pass over the rules' readings has given
 * already (the first reading of a pair is the one shown). The pairs are
 * kept from pass to pass and marked with the pass's number: a /metrics
 * scrape at 10,000 interfaces built a set of 10,000 scopes and its hash
 * table anew. Pairs no pass gives any more are forgotten once they
 * outnumber those it gave.
 */
export class ReadingMarks {
  private pass = 0;
  private given = 0;
  private kept = 0;
  private readonly byKpi = new Map<string, Map<string, number>>();

  begin(): void {
    this.pass++;
    this.given = 0;
  }

  /** True for the first reading of `kpi` and `scope` in this pass. */
  first(kpi: string, scope: string): boolean {
    let scopes = this.byKpi.get(kpi);
    if (!scopes) this.byKpi.set(kpi, (scopes = new Map()));
    const last = scopes.get(scope);
    if (last === this.pass) return false;
    if (last === undefined) this.kept++;
    scopes.set(scope, this.pass);
    this.given++;
    return true;
  }

  end(): void {
    if (this.kept <= 2 * this.given) return;
    for (const [kpi, scopes] of this.byKpi) {
      for (const [scope, pass] of scopes) if (pass !== this.pass) scopes.delete(scope);
      if (scopes.size === 0) this.byKpi.delete(kpi);
    }
    this.kept = this.given;
  }
}
