/**
 * A small seeded pseudo-random generator (mulberry32), for tests whose cases are drawn at random
 * and must be replayed from their seed. Not for anything that needs real randomness.
 */

/** mulberry32: 32 bits of state, numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** Draws from one seed: the same seed gives the same draws, in the same order. */
export class Draws {
  private readonly next: () => number
  constructor(seed: number) {
    this.next = mulberry32(seed)
  }
  /** A number in [0, 1). */
  number(): number {
    return this.next()
  }
  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }
  /** One of `items`, each as likely. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!
  }
  /** One of `choices`, as likely as its weight. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    const total = choices.reduce((sum, [, weight]) => sum + weight, 0)
    let at = this.next() * total
    for (const [value, weight] of choices) {
      at -= weight
      if (at < 0) return value
    }
    return choices.at(-1)![0]
  }
  /** A 32-bit seed for another stream of draws. */
  seed(): number {
    return Math.floor(this.next() * 4_294_967_296)
  }
}
