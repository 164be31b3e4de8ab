/**
 * The files that mostly wait go first: the end-to-end files, and the few others that wait for
 * real time (a spawned step, a request limit). Their cases wait for runs that take real seconds,
 * so started last they would add their whole length to the suite's end; started first, the other
 * files run beside them. Jest's own order (slowest first, by the timings in its cache) does not
 * do this: a waiting file's time swings with how busy the machine was, and on a first run (a
 * fresh clone, no timings) jest orders by size, which starts the small, long-waiting files last.
 *
 * Longest first, among all files: LONGEST (measured on a quiet 2-core machine, the suite's
 * files of 5 s or more, longest first) lead, so that no long file starts late and ends the run;
 * then the other waiting files, then the rest in jest's order (which puts the files that failed
 * last time first among them). A stale name here only changes the order.
 *
 * Two files that keep the CPU busy (fault-matrix, hostile-input: thousands of in-process steps
 * and property runs) go among the first ten: while the longest files wait for their runs, both
 * cores would otherwise sit idle for the first 15 s or so (measured with vmstat).
 */
import { sep } from 'node:path'
import TestSequencer from '@jest/test-sequencer'

const WAITING = /[\\/](e2e-[^\\/]+|fault-matrix|hostile-input-bundle|summary-mermaid)\.test\.ts$/
const LONGEST = [
  'e2e-wait',
  'e2e-retries',
  'e2e-log-hang',
  'e2e-logs',
  'e2e-log-time',
  'e2e-slow-buddy',
  'e2e-approve',
  'fault-matrix',
  'hostile-input',
  'e2e-cancel',
  'e2e-tokens',
  'e2e-outside-text',
  'e2e',
  'e2e-live-logs',
  'e2e-log-slow',
  'e2e-network',
  'e2e-given-run',
  'summary-mermaid',
  'e2e-events',
  'e2e-matrix',
  'e2e-fork-code',
  'e2e-random-faults',
  'e2e-summary',
  'e2e-cancel-previous',
  'e2e-buddy-api',
  'e2e-post-step',
  'hostile-input-bundle',
  'wait-loop',
  'client',
  'start-execution',
  'architecture'
]

const rank = test => {
  const index = LONGEST.findIndex(name => test.path.endsWith(`${sep}${name}.test.ts`))
  if (index >= 0) return index
  return WAITING.test(test.path) ? LONGEST.length : LONGEST.length + 1
}

export default class LongestFirst extends TestSequencer {
  sort(tests) {
    // Array.prototype.sort is stable: jest's order is kept within each rank.
    return super.sort(tests).sort((a, b) => rank(a) - rank(b))
  }
}
