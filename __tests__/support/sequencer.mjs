/**
 * The files that mostly wait go first: the end-to-end files, and the few others that wait for
 * real time (a spawned step, a request limit). Their cases wait for runs that take real seconds,
 * so started last they would add their whole length to the suite's end; started first, the other
 * files run beside them. Jest's own order (slowest first, by the timings in its cache) does not
 * do this: a waiting file's time swings with how busy the machine was, and on a first run (a
 * fresh clone, no timings) jest orders by size, which starts the small, long-waiting files last.
 *
 * Within the waiting files: the longest lead (LONGEST_WAITS: 30 to 45 s each on a busy 2-core
 * machine, measured, e2e-cancel because its 35 spawns make it long when it starts late; a stale
 * name here only changes the order), then jest's order. The other files follow in jest's order
 * (which puts the files that failed last time first among them).
 */
import TestSequencer from '@jest/test-sequencer'

const WAITING = /[\\/](e2e-[^\\/]+|fault-matrix|hostile-input-bundle|summary-mermaid)\.test\.ts$/
const LONGEST_WAITS = [
  'e2e-log-time',
  'e2e-wait',
  'e2e-retries',
  'e2e-log-hang',
  'e2e-logs',
  'e2e-cancel'
]

const rank = test => {
  const index = LONGEST_WAITS.findIndex(name => test.path.endsWith(`${name}.test.ts`))
  return index < 0 ? LONGEST_WAITS.length : index
}

export default class WaitingFirst extends TestSequencer {
  sort(tests) {
    const sorted = super.sort(tests)
    const waiting = test => WAITING.test(test.path)
    // Array.prototype.sort is stable: jest's order is kept within each rank.
    const first = sorted.filter(waiting).sort((a, b) => rank(a) - rank(b))
    return [...first, ...sorted.filter(test => !waiting(test))]
  }
}
