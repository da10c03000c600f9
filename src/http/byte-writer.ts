/**
 * Text written straight into one Buffer that doubles when full. A /metrics
 * render of 100,000 series built a string per slice, then a Buffer from it,
 * then one Buffer from all of them: flattening and encoding those strings
 * was a quarter of the render's time in a profile.
 */
export class ByteWriter {
  private buffer: Buffer;
  private used = 0;

  constructor(size = 1 << 16) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  text(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (this.used + text.length * 3 > this.buffer.length) this.grow(text.length * 3);
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  /** The bytes written so far (a view: write no more once taken). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.used);
  }

  private grow(room: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.used + room));
    this.buffer.copy(bigger, 0, 0, this.used);
    this.buffer = bigger;
  }
}
