/**
 * CPython's `random.Random` (Lib/random.py over Modules/_randommodule.c), the parts lm-eval's
 * few-shot draw uses: int seeding, getrandbits, _randbelow and sample. Written here because no
 * npm package reproduces CPython's Random.sample bit for bit: MT19937 ports exist (e.g.
 * @stdlib/random-base-mt19937), but none splits an int seed into words as CPython does or has its
 * getrandbits / _randbelow / sample, and those decide which examples are drawn. The generator is
 * 50 lines, so one file holds it all; tests pin its outputs to CPython's (tools/crosscheck/).
 */

const N = 624;
const M = 397;

export class PythonRandom {
  readonly #mt = new Uint32Array(N);
  #mti = N + 1;

  /** `random.Random(seed)` for an int seed: all bits of |seed| are used, as CPython does. */
  constructor(seed: number | bigint) {
    if (typeof seed === 'number' && !Number.isSafeInteger(seed)) {
      throw new RangeError(`PythonRandom: seed: expected an integer, got ${seed}`);
    }
    let n = BigInt(seed);
    if (n < 0n) n = -n;
    // The 32-bit words of |seed|, least significant first; 0 gives [0].
    const key: number[] = [];
    do {
      key.push(Number(n & 0xffffffffn));
      n >>= 32n;
    } while (n > 0n);
    this.#initByArray(key);
  }

  #initGenrand(s: number): void {
    const mt = this.#mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.#mti = N;
  }

  #initByArray(key: readonly number[]): void {
    const mt = this.#mt;
    this.#initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1664525)) + key[j]! + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  /** genrand_uint32: the next 32-bit output of MT19937. */
  uint32(): number {
    const mt = this.#mt;
    if (this.#mti >= N) {
      let kk = 0;
      const mag = (y: number) => (y & 1 ? 0x9908b0df : 0);
      for (; kk < N - M; kk++) {
        const y = (mt[kk]! & 0x80000000) | (mt[kk + 1]! & 0x7fffffff);
        mt[kk] = mt[kk + M]! ^ (y >>> 1) ^ mag(y);
      }
      for (; kk < N - 1; kk++) {
        const y = (mt[kk]! & 0x80000000) | (mt[kk + 1]! & 0x7fffffff);
        mt[kk] = mt[kk + (M - N)]! ^ (y >>> 1) ^ mag(y);
      }
      const y = (mt[N - 1]! & 0x80000000) | (mt[0]! & 0x7fffffff);
      mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ mag(y);
      this.#mti = 0;
    }
    let y = mt[this.#mti++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `getrandbits(k)`: 32-bit words least significant first, the last one's top bits kept. */
  getrandbits(k: number): bigint {
    if (!Number.isInteger(k) || k < 0) {
      throw new RangeError(`getrandbits: expected a non-negative integer, got ${k}`);
    }
    if (k <= 32) return BigInt(this.#bits32(k));
    let out = 0n;
    for (let shift = 0n; k > 0; k -= 32, shift += 32n) {
      out |= BigInt(this.#bits32(Math.min(k, 32))) << shift;
    }
    return out;
  }

  #bits32(k: number): number {
    return k === 0 ? 0 : this.uint32() >>> (32 - k);
  }

  /** `random()`: 53 random bits as a float in [0, 1). */
  random(): number {
    const a = this.uint32() >>> 5;
    const b = this.uint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** `_randbelow_with_getrandbits(n)`: an int in [0, n) by rejection on n.bit_length() bits. */
  randbelow(n: number): number {
    // Below 2^32 (every array length), n.bit_length() fits one 32-bit word.
    if (!Number.isInteger(n) || n <= 0 || n >= 2 ** 32) {
      throw new RangeError(`randbelow: expected an integer in 1..2^32-1, got ${n}`);
    }
    const k = n.toString(2).length;
    let r = this.#bits32(k);
    while (r >= n) r = this.#bits32(k);
    return r;
  }

  /** `sample(population, k)`: k distinct positions' elements, in selection order. */
  sample<T>(population: readonly T[], k: number): T[] {
    const n = population.length;
    if (!Number.isInteger(k) || k < 0 || k > n) {
      throw new RangeError('Sample larger than population or is negative');
    }
    const result: T[] = new Array<T>(k);
    let setsize = 21; // size of a small set minus size of an empty list
    if (k > 5) setsize += 4 ** Math.ceil(Math.log(k * 3) / Math.log(4));
    if (n <= setsize) {
      const pool = population.slice();
      for (let i = 0; i < k; i++) {
        const j = this.randbelow(n - i);
        result[i] = pool[j]!;
        pool[j] = pool[n - i - 1]!;
      }
    } else {
      const selected = new Set<number>();
      for (let i = 0; i < k; i++) {
        let j = this.randbelow(n);
        while (selected.has(j)) j = this.randbelow(n);
        selected.add(j);
        result[i] = population[j]!;
      }
    }
    return result;
  }
}
