// The capture decoder's public face: decodeCapture and the pieces the tests and benchmark use.
export { decodeCapture, type DecodeResult } from './service.js';

export function ipv4Number(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}
