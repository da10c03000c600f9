/**
 * A basic well-formedness check of generated HTML: every element is closed
 * in order (void elements written `<x/>`), attributes are quoted, and no
 * stray `<` or `&` is left in text. Returns the problems found.
 */
export function checkWellFormed(html: string): string[] {
  const problems: string[] = [];
  const body = html.replace(/^<!DOCTYPE html>\s*/i, '').replace(/<style>[\s\S]*?<\/style>/g, '<style></style>');
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (c === '<') {
      tag.lastIndex = i;
      const m = tag.exec(body);
      if (!m) {
        problems.push(`unparseable markup at ${i}: ${body.slice(i, i + 40)}`);
        break;
      }
      const [, close, name, , self] = m;
      if (close) {
        const open = stack.pop();
        if (open !== name) problems.push(`</${name}> closes <${open}> at ${i}`);
      } else if (!self) stack.push(name!);
      i = tag.lastIndex;
    } else if (c === '&') {
      if (!/^&(?:[a-z]+|#\d+);/.test(body.slice(i, i + 10))) problems.push(`bare & at ${i}`);
      i++;
    } else i++;
  }
  if (stack.length) problems.push(`unclosed: ${stack.join(' > ')}`);
  return problems;
}

/** RFC 4180 CSV to rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
