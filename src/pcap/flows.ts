// Counting tables keyed by five 32-bit words, in typed arrays with open addressing: the --summary path
// adds a packet without allocating or building a string.

export class FlowTable {
  private cap = 1024;
  private keys = new Uint32Array(this.cap * 5);
  private used = new Uint8Array(this.cap);
  private order = new Int32Array(this.cap);
  packets = new Float64Array(this.cap);
  bytes = new Float64Array(this.cap);
  firstSec = new Float64Array(this.cap);
  firstNs = new Uint32Array(this.cap);
  lastSec = new Float64Array(this.cap);
  lastNs = new Uint32Array(this.cap);
  size = 0;

  add(k0: number, k1: number, k2: number, k3: number, k4: number, bytes: number, sec: number, ns: number): void {
    const i = this.slot(k0, k1, k2, k3, k4);
    if (this.packets[i] === 0) {
      this.firstSec[i] = sec;
      this.firstNs[i] = ns;
    }
    this.packets[i]++;
    this.bytes[i] += bytes;
    this.lastSec[i] = sec;
    this.lastNs[i] = ns;
  }

  /** Entries in first-seen order: [slot, k0..k4]. */
  *entries(): Generator<[number, number, number, number, number, number]> {
    for (let j = 0; j < this.size; j++) {
      const i = this.order[j];
      const k = i * 5;
      yield [i, this.keys[k], this.keys[k + 1], this.keys[k + 2], this.keys[k + 3], this.keys[k + 4]];
    }
  }

  private slot(k0: number, k1: number, k2: number, k3: number, k4: number): number {
    const mask = this.cap - 1;
    let h = Math.imul(k0 ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(k1, 0xc2b2ae35) ^ Math.imul(k2 ^ (k3 << 7), 0x27d4eb2f) ^ Math.imul(k4, 0x165667b1);
    h ^= h >>> 15;
    let i = h & mask;
    const keys = this.keys;
    for (;;) {
      if (!this.used[i]) break;
      const k = i * 5;
      if (keys[k] === k0 >>> 0 && keys[k + 1] === k1 >>> 0 && keys[k + 2] === k2 >>> 0 && keys[k + 3] === k3 >>> 0 && keys[k + 4] === k4 >>> 0) return i;
      i = (i + 1) & mask;
    }
    if ((this.size + 1) * 2 > this.cap) {
      this.grow();
      return this.slot(k0, k1, k2, k3, k4);
    }
    this.used[i] = 1;
    const k = i * 5;
    keys[k] = k0;
    keys[k + 1] = k1;
    keys[k + 2] = k2;
    keys[k + 3] = k3;
    keys[k + 4] = k4;
    this.order[this.size++] = i;
    return i;
  }

  private grow(): void {
    const old = { ...this, entries: [...this.entries()] };
    this.cap *= 2;
    this.keys = new Uint32Array(this.cap * 5);
    this.used = new Uint8Array(this.cap);
    this.order = new Int32Array(this.cap);
    this.packets = new Float64Array(this.cap);
    this.bytes = new Float64Array(this.cap);
    this.firstSec = new Float64Array(this.cap);
    this.firstNs = new Uint32Array(this.cap);
    this.lastSec = new Float64Array(this.cap);
    this.lastNs = new Uint32Array(this.cap);
    this.size = 0;
    for (const [o, k0, k1, k2, k3, k4] of old.entries) {
      const i = this.slot(k0, k1, k2, k3, k4);
      this.packets[i] = old.packets[o];
      this.bytes[i] = old.bytes[o];
      this.firstSec[i] = old.firstSec[o];
      this.firstNs[i] = old.firstNs[o];
      this.lastSec[i] = old.lastSec[o];
      this.lastNs[i] = old.lastNs[o];
    }
  }
}
