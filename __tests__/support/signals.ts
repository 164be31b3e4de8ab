import type { ChildProcess } from 'node:child_process'
import { describe, it } from '@jest/globals'

/**
 * A Windows process cannot be sent SIGINT or SIGTERM (kill() ends it at once): tests that send
 * the step signals run where signals exist. The cancel path itself is the same code for Ctrl+C
 * and Ctrl+Break (SIGBREAK).
 */
export const describeWithSignals = process.platform === 'win32' ? describe.skip : describe
export const itWithSignals = process.platform === 'win32' ? it.skip : it

/**
 * An onStdout hook for runAction that sends the step one signal once it has printed `text`
 * (matched on everything printed so far: a line may come split over two chunks).
 */
export function signalWhenPrinted(text: string, signal: NodeJS.Signals = 'SIGINT') {
  let printed = ''
  let sent = false
  return {
    onStdout(chunk: string, child: ChildProcess) {
      printed += chunk
      if (!sent && printed.includes(text)) {
        sent = true
        child.kill(signal)
      }
    },
    /** Whether the signal was sent (the text was printed). */
    get sent() {
      return sent
    }
  }
}
