// Sends DNS queries (one per name) from one socket to SERVER:53, waits briefly for each answer.
import dgram from 'node:dgram';
import { setTimeout } from 'node:timers';
import dnsPacket from 'dns-packet';

const [server, ...names] = process.argv.slice(2);
const sock = dgram.createSocket('udp4');
let id = 0x1a00;
const wait = (ms) => new Promise((r) => setTimeout(r, ms));
sock.on('message', () => {});
sock.on('error', () => {});
for (const name of names) {
  sock.send(dnsPacket.encode({ type: 'query', id: id++, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] }), 53, server);
  await wait(300);
}
sock.close();
