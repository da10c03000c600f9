import type { Notification } from '../core/alert.js';
import { isResolved, type AlertBatch } from './batch.js';
import { isGsm } from './channels/sms-parts.js';
import { ackLink, apiBase, type Links } from './links.js';
import { hhmm, isDownState, spoken, trueSince, valuePhrase, where } from './wording.js';

/**
 * The SMS: severity, where, what, since, SLA time left and how to ack, in
 * one segment where possible: 160 GSM-7 characters, or 70 when a character
 * outside GSM-7 (a site named in Chinese) forces UCS-2 (3GPP TS 23.038).
 * Too long, it is shortened in this order, whole pieces at a time, never
 * mid-word: drop the rule name, then the value, then the deadline's clock
 * time, then the other alerts of a group. What is left and still too long
 * goes as a concatenated SMS rather than losing where or how to ack. A
 * one-tap ack link is never cut (a cut link opens nothing): the place is
 * shortened to make room for it, then the end of the alert line.
 */
export const SMS_SINGLE = { gsm: 160, ucs2: 70 } as const;

/** `short` replaces `text` once shortening reaches the seconds; `role` marks the pieces makeRoom may cut or must keep. */
interface Piece { readonly text: string; readonly drop: number; readonly short?: string; readonly role?: 'where' | 'link' }

/** Pieces with drop > 0 go first-lowest: 1 the rule name, 2 the value, 3 the deadline, 4 the other alerts, 5 the seconds of "since". */
const DROP_ORDER = ['rule', 'value', 'deadline', 'others', 'seconds'] as const;
const rank = (what: (typeof DROP_ORDER)[number]) => DROP_ORDER.indexOf(what) + 1;

export interface SmsOptions {
  readonly links: Links;
  readonly now: number;
}

export function smsText(batch: AlertBatch, opts: SmsOptions): string {
  const pieces = smsPieces(batch, opts);
  for (let level = 0; level <= DROP_ORDER.length; level++) {
    const text = join(pieces.filter((p) => p.drop === 0 || p.drop > level).map((p) => (p.short && level >= rank('seconds') ? { ...p, text: p.short } : p)));
    if (fits(text)) return text;
  }
  const shortest = pieces.filter((p) => p.drop === 0).map((p) => ({ ...p, text: p.short ?? p.text }));
  return (shortest.some((p) => p.role === 'link') && makeRoom(shortest)) || join(shortest);
}

/** Shortest sensible place, and the least of each of its parts (site, target, interface) kept. */
const MIN_WHERE = 16;
const MIN_PART = 5;

/**
 * The alert line shortened beside the whole link, so both go in one SMS: the
 * place first (long names), its longest part cut first so site, target and
 * interface each stay recognisable, then the end of the line (SLA, state).
 * Undefined when even the severity, a cut place and the link do not fit (a
 * UCS-2 message of 70): then it goes concatenated.
 */
function makeRoom(pieces: readonly Piece[]): string | undefined {
  const where = pieces.find((p) => p.role === 'where');
  const withPlace = (n: number) => pieces.map((p) => (p === where ? { ...p, text: shorterPlace(p.text, n) } : p));
  for (let n = (where ? [...where.text].length : 0) - 1; n >= MIN_WHERE; n--) {
    const text = join(withPlace(n));
    if (fits(text)) return text;
  }
  const shortest = withPlace(MIN_WHERE);
  const link = join(shortest.filter((p) => p.role === 'link'));
  const line = [...join(shortest.filter((p) => p.role !== 'link'))];
  const floor = [...join(shortest.slice(0, shortest.findIndex((p) => p.role === 'where') + 1))].length;
  for (let n = line.length - 1; n >= floor; n--) {
    const text = `${line.slice(0, n).join('')}.. ${link}`;
    if (fits(text)) return text;
  }
  return undefined;
}

/** `where` in at most `budget` characters: the longest of its /-parts loses characters first, each cut marked "..". */
function shorterPlace(where: string, budget: number): string {
  const parts = where.split('/').map((p) => [...p]);
  const kept = parts.map((p) => p.length);
  const length = () => kept.reduce((n, k, i) => n + k + (k < parts[i]!.length ? 2 : 0), parts.length - 1);
  while (length() > budget) {
    const longest = kept.indexOf(Math.max(...kept));
    if (kept[longest]! <= MIN_PART) break;
    kept[longest]!--;
  }
  const place = parts.map((p, i) => (kept[i]! < p.length ? `${p.slice(0, kept[i]).join('')}..` : p.join(''))).join('/');
  // Many short parts (an interface named 1/1/1/...): cut the whole.
  return [...place].length <= budget ? place : `${[...place].slice(0, budget - 2).join('')}..`;
}

/** Whether the text goes as one SMS. */
export function fits(text: string): boolean {
  return isGsm(text) ? gsmLength(text) <= SMS_SINGLE.gsm : text.length <= SMS_SINGLE.ucs2;
}

function gsmLength(text: string): number {
  // Extension characters (^{}\[~]|€) cost an escape septet too.
  return [...text].reduce((n, ch) => n + ('^{}\\[~]|€\f'.includes(ch) ? 2 : 1), 0);
}

function join(pieces: readonly Piece[]): string {
  return pieces.map((p) => p.text).join(' ').replace(/ ([,.;])/g, '$1');
}

function smsPieces(batch: AlertBatch, { links, now }: SmsOptions): Piece[] {
  const [first, ...others] = [...batch.alerts].sort((a, b) => Number(isResolved(a)) - Number(isResolved(b)));
  if (!first) return [];
  const pieces: Piece[] = [];
  const keep = (text: string) => pieces.push({ text, drop: 0 });
  const drop = (text: string, what: (typeof DROP_ORDER)[number]) => pieces.push({ text, drop: rank(what) });
  const since = trueSince(first);
  const down = isDownState(first) || first.outage !== undefined;
  keep(isResolved(first) ? 'OK' : first.severity === 'critical' ? 'CRIT' : first.severity === 'warning' ? 'WARN' : 'INFO');
  if (first.kind === 'escalation') keep('ESCALATED');
  pieces.push({ text: where(first), drop: 0, role: 'where' });
  pieces.push({ text: `${stateWord(first, down, since, now, true)}.`, drop: 0, short: `${stateWord(first, down, since, now, false)}.` });
  const value = valuePhrase(first);
  if (first.labels.alertname) drop(`${first.labels.alertname}${value ? ':' : '.'}`, 'rule');
  if (value) drop(`${value}.`, 'value');
  const o = first.outage;
  if (o && first.kind === 'sla_restored') keep(`Recovery target ${spoken(o.recoveryTarget)} ${o.remaining >= 0 ? 'met' : 'missed'}.`);
  if (o && !isResolved(first) && first.kind !== 'sla_breach') {
    const left = o.startedAt + o.recoveryTarget - now;
    keep(left >= 0 ? `SLA ${spoken(left)} left` : `SLA missed by ${spoken(-left)}`);
    if (left >= 0) drop(`(by ${hhmm(o.startedAt + o.recoveryTarget)})`, 'deadline');
    keep('.');
  }
  if (others.length) drop(`+${others.length} more${others.some((x) => !isResolved(x)) ? ` (${others.filter((x) => !isResolved(x)).length} firing)` : ''}.`, 'others');
  const link = ackLink(first.fingerprint, links);
  if (!isResolved(first) && link) pieces.push({ text: `Ack: ${link}`, drop: 0, role: 'link' });
  else if (!isResolved(first)) keep(links.publicUrl ? `Ack: ${apiBase(links)}/api/v1/alerts/${first.fingerprint}/ack` : `Ack ${first.fingerprint}`);
  return pieces;
}

function stateWord(n: Notification, down: boolean, since: number, now: number, seconds: boolean): string {
  const at = seconds ? new Date(since).toISOString().slice(11, 19) : hhmm(since);
  switch (n.kind) {
    case 'firing':
    case 'escalation': return `${down ? 'down' : 'out of target'} since ${at}Z`;
    case 'resolved': return `back after ${spoken((n.endsAt ?? now) - since)}`;
    case 'sla_warning': return `down since ${at}Z`;
    case 'sla_breach': return `down since ${at}Z, recovery target missed`;
    case 'sla_restored': return `restored after ${spoken((n.endsAt ?? now) - since)}`;
    case 'flapping': return `flapping since ${new Date(n.startsAt).toISOString().slice(11, seconds ? 19 : 16)}Z, paused until stable`;
    case 'flap_ended': return `stable again, ${n.endsAt !== undefined ? 'back' : down ? 'down' : 'out of target'}`;
  }
}
