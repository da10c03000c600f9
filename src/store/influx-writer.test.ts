import { describe, expect, it } from 'vitest';
import { classify } from './influx-writer.js';

describe('classify: what an InfluxDB 1.6 /write answer means for the batch', () => {
  it.each([
    { status: 204, body: '', kind: 'written' },
    { status: 400, body: '{"error":"partial write: points beyond retention policy dropped=2"}', kind: 'partial', dropped: 2 },
    { status: 400, body: '{"error":"partial write: field type conflict: input field \\"v\\" on measurement \\"m\\" is type integer, already exists as type float dropped=1"}', kind: 'partial', dropped: 1 },
    { status: 400, body: "{\"error\":\"partial write: unable to parse 'm v= 1': missing field value\\nunable to parse 'm x': missing fields dropped=0\"}", kind: 'partial', dropped: 2 },
    { status: 400, body: '{"error":"field type conflict"}', kind: 'rejected' },
    { status: 413, body: '{"error":"Request Entity Too Large"}', kind: 'rejected' },
    { status: 500, body: '{"error":"timeout"}', kind: 'unavailable' },
    { status: 503, body: '<html>proxy</html>', kind: 'unavailable' },
    { status: 404, body: '{"error":"database not found: \\"kpid\\""}', kind: 'unavailable' },
    { status: 401, body: '{"error":"authorization failed"}', kind: 'unavailable' },
  ])('$status $body → $kind', ({ status, body, kind, dropped }) => {
    const result = classify(status, body);
    expect(result.kind).toBe(kind);
    if (dropped !== undefined) expect(result).toMatchObject({ dropped });
  });
});
