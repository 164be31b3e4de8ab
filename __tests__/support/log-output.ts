import type { LogOutput } from '../../src/follow/log-output.js'

/**
 * A LogOutput that records what the step would print: the info lines, each group with Buddy's
 * lines in it, and the whole transcript in order (`::group::…`, `::endgroup::`, lines). Like the
 * runner, it takes no group inside another: a nested or unbalanced group fails the test.
 */
export function recordingOutput() {
  const info: string[] = []
  const groups: { title: string; lines: string[] }[] = []
  const transcript: string[] = []
  let open: { title: string; lines: string[] } | undefined
  const out: LogOutput = {
    debug: () => undefined,
    info: message => {
      info.push(message)
      transcript.push(message)
    },
    warning: message => {
      info.push(`warning: ${message}`)
      transcript.push(`warning: ${message}`)
    },
    printUntrusted: (title, lines) => {
      out.startGroup(title)
      out.printUntrustedLines(lines)
      out.endGroup()
    },
    startGroup: title => {
      if (open) throw new Error(`group "${title}" opened inside group "${open.title}"`)
      open = { title, lines: [] }
      groups.push(open)
      transcript.push(`::group::${title}`)
    },
    endGroup: () => {
      if (!open) throw new Error('endgroup without a group')
      open = undefined
      transcript.push('::endgroup::')
    },
    printUntrustedLines: lines => {
      open?.lines.push(...lines)
      transcript.push(...lines)
    }
  }
  return {
    out,
    info,
    groups,
    transcript,
    /** Whether a group is open now. */
    get groupOpen() {
      return open !== undefined
    }
  }
}
