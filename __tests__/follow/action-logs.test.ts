import {
  describeFetch,
  LogFetch,
  MAX_LINES,
  MAX_TAIL_SCAN,
  PAGE,
  TAIL_LINES,
  type PageReader
} from '../../src/follow/action-logs.js'
import { LogReadStop } from '../../src/follow/log-source.js'

/**
 * Paging an action's log, with and without Buddy's length (total_element_count), and as an
 * older Buddy gives it (the whole rest at once). The reader is a fake: pure paging decisions.
 */

const numbered = (count: number) => Array.from({ length: count }, (_, i) => `line ${i + 1}`)

/** Pages of a log of `count` lines; `form`: what Buddy's answer says of its length. */
function pages(count: number, form: 'totals' | 'no totals' | 'whole') {
  const log = numbered(count)
  const asked: [number, number][] = []
  const read: PageReader = async (offset, limit) => {
    asked.push([offset, limit])
    if (form === 'whole') return { lines: log.slice(offset), total: log.length }
    const lines = log.slice(offset, offset + Math.min(limit, PAGE))
    return form === 'totals' ? { lines, total: log.length } : { lines }
  }
  return { read, asked }
}

describe('LogFetch: the tail (logs: failed)', () => {
  it.each([
    [
      'totals',
      2500,
      [
        [0, PAGE],
        [2300, TAIL_LINES]
      ]
    ],
    [
      'no totals',
      2500,
      [
        [0, PAGE],
        [1000, PAGE],
        [2000, PAGE]
      ]
    ],
    ['whole', 2500, [[0, PAGE]]],
    [
      'totals',
      1100,
      [
        [0, PAGE],
        [1000, 100]
      ]
    ],
    [
      'no totals',
      1000,
      [
        [0, PAGE],
        [1000, PAGE]
      ]
    ],
    ['no totals', 150, [[0, PAGE]]],
    ['totals', 0, [[0, PAGE]]]
  ] as const)('%s, %i lines: its real last lines, asked as %j', async (form, count, asked) => {
    const log = pages(count, form)
    const fetch = new LogFetch('tail')
    await fetch.run(log.read)
    expect(log.asked).toEqual(asked)
    const last = numbered(count).slice(-TAIL_LINES)
    expect(fetch.lines).toEqual(last)
    expect(fetch.skipped).toBe(count - last.length)
    expect(fetch.cut).toBe(false)
  })

  it('says which lines it shows', async () => {
    const fetch = new LogFetch('tail')
    await fetch.run(pages(2500, 'no totals').read)
    expect(describeFetch('Deploy', 'FAILED', fetch).title).toBe(
      'Log of Deploy (FAILED): last 200 of 2500 lines'
    )
    const short = new LogFetch('tail')
    await short.run(pages(20, 'no totals').read)
    expect(describeFetch('Deploy', 'FAILED', short).title).toBe('Log of Deploy (FAILED)')
  })

  it(`gives up looking for the end after ${MAX_TAIL_SCAN} lines without totals, and says so`, async () => {
    const log = pages(MAX_TAIL_SCAN + 10, 'no totals')
    const fetch = new LogFetch('tail')
    await fetch.run(log.read)
    expect(log.asked).toHaveLength(MAX_TAIL_SCAN / PAGE + 1)
    expect(fetch.cut).toBe(true)
    const { title, lines } = describeFetch('Deploy', 'FAILED', fetch)
    expect(title).toBe(`Log of Deploy (FAILED): lines ${MAX_TAIL_SCAN - 199}–${MAX_TAIL_SCAN}`)
    expect(lines.at(-1)).toBe(
      `[the log goes on past line ${MAX_TAIL_SCAN}; the whole log is on the run's page]`
    )
  })
})

describe('LogFetch: the whole log (logs: all)', () => {
  it.each([
    ['totals', 2500, 3],
    ['no totals', 2500, 3],
    ['no totals', 3000, 4],
    ['whole', 2500, 1]
  ] as const)('%s, %i lines: all of them in %i requests', async (form, count, requests) => {
    const log = pages(count, form)
    const fetch = new LogFetch('all')
    await fetch.run(log.read)
    expect(fetch.lines).toEqual(numbered(count))
    expect(fetch.cut).toBe(false)
    expect(log.asked).toHaveLength(requests)
  })

  it.each(['totals', 'no totals', 'whole'] as const)(
    `%s: cuts after ${MAX_LINES} lines and says where`,
    async form => {
      const fetch = new LogFetch('all')
      await fetch.run(pages(MAX_LINES + 1, form).read)
      expect(fetch.lines).toEqual(numbered(MAX_LINES))
      expect(fetch.cut).toBe(true)
      expect(describeFetch('Build', 'SUCCESSFUL', fetch).lines.at(-1)).toBe(
        `[cut after ${MAX_LINES} lines; the whole log is on the run's page]`
      )
    }
  )

  it(`does not say "cut" of a log of exactly ${MAX_LINES} lines without totals`, async () => {
    const fetch = new LogFetch('all')
    await fetch.run(pages(MAX_LINES, 'no totals').read)
    expect(fetch.lines).toHaveLength(MAX_LINES)
    expect(fetch.cut).toBe(false)
  })

  it('goes on from where a stopped read left it', async () => {
    const log = pages(2500, 'no totals')
    let fail = true
    const read: PageReader = async (offset, limit) => {
      if (offset === 1000 && fail) {
        fail = false
        throw new LogReadStop('time', '')
      }
      return log.read(offset, limit)
    }
    const fetch = new LogFetch('all')
    await expect(fetch.run(read)).rejects.toBeInstanceOf(LogReadStop)
    expect(fetch.lines).toHaveLength(1000)
    await fetch.run(read)
    expect(fetch.lines).toEqual(numbered(2500))
    expect(log.asked.map(([offset]) => offset)).toEqual([0, 1000, 2000])
  })
})
