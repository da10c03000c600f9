import { createSocket } from 'node:dgram';

/** A UDP port on loopback that nothing listens on right now. */
export { freeUdpPort } from '../../src/demo/free-ports.js';

/** Sends raw datagrams to a loopback port. */
export async function sendDatagrams(port: number, packets: readonly Buffer[]): Promise<void> {
  const s = createSocket('udp4');
  for (const p of packets) await new Promise<void>((r) => s.send(p, port, '127.0.0.1', () => r()));
  await new Promise<void>((r) => s.close(() => r()));
}

/** The first datagram `send` makes to a fresh loopback port. */
export async function captureDatagram(send: (port: number) => void): Promise<Buffer> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const got = new Promise<Buffer>((r) => s.once('message', (m) => r(m)));
  send(s.address().port);
  const packet = await got;
  s.close();
  return packet;
}
