/**
 * Splitting an SMS that does not fit one message (3GPP TS 23.040 §9.2.3.24.1):
 * each part carries a 6-octet User Data Header "05 00 03 ref total seq", so
 * GSM 7-bit parts hold 153 characters instead of 160, UCS-2 parts 67 instead of 70.
 */

// 3GPP TS 23.038 default alphabet; the extension characters cost two septets (ESC + char).
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENDED = new Set('^{}\\[~]|€\f');

export const DATA_CODING_GSM = 0x00; // SMSC default alphabet
export const DATA_CODING_UCS2 = 0x08;

export interface SmsSegments {
  readonly dataCoding: number;
  readonly parts: readonly { readonly udh?: Buffer; readonly text: string }[];
}

export function isGsm(text: string): boolean {
  for (const ch of text) if (!GSM_BASIC.has(ch) && !GSM_EXTENDED.has(ch)) return false;
  return true;
}

/** `ref` (0-255) ties the parts together on the phone; derive it from the job so a resend reuses it. */
export function splitSms(text: string, ref: number): SmsSegments {
  const gsm = isGsm(text);
  const cost = gsm ? (ch: string) => (GSM_EXTENDED.has(ch) ? 2 : 1) : (ch: string) => ch.length; // UTF-16 units
  const single = gsm ? 160 : 70;
  const perPart = gsm ? 153 : 67;
  const dataCoding = gsm ? DATA_CODING_GSM : DATA_CODING_UCS2;
  const chars = [...text]; // code points: a surrogate pair is never cut in two
  const total = chars.reduce((n, ch) => n + cost(ch), 0);
  if (total <= single) return { dataCoding, parts: [{ text }] };
  const texts: string[] = [];
  let current = '';
  let used = 0;
  for (const ch of chars) {
    if (used + cost(ch) > perPart) {
      texts.push(current);
      current = '';
      used = 0;
    }
    current += ch;
    used += cost(ch);
  }
  if (current) texts.push(current);
  if (texts.length > 255) texts.length = 255; // the header counts parts in one octet
  return {
    dataCoding,
    parts: texts.map((t, i) => ({ udh: Buffer.from([0x05, 0x00, 0x03, ref & 0xff, texts.length, i + 1]), text: t })),
  };
}
