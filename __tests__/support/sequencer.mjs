/**
 * Jest's order, but on a first run (no timings kept yet, as on a fresh clone) the end-to-end
 * files go first: they spend most of their time waiting for runs that take real seconds, so
 * started last they would add their whole length to the suite's end; started first, the other
 * files run beside them. Once jest has timings (in its cache), it orders by them, slowest first.
 */
import TestSequencer from '@jest/test-sequencer'

const END_TO_END = /[\\/]e2e-[^\\/]+\.test\.ts$/

export default class EndToEndFirst extends TestSequencer {
  sort(tests) {
    const sorted = super.sort(tests)
    const waitsFirst = test => test.duration == null && END_TO_END.test(test.path)
    return [...sorted.filter(waitsFirst), ...sorted.filter(test => !waitsFirst(test))]
  }
}
