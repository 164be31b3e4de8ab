/** The job summary: what it shows of the run, with Buddy's text escaped. */
import { jest } from '@jest/globals'
import { createFakeCore } from '../support/fake-core.js'
import {
  action,
  execution,
  failedWithMessages,
  longErrorMessage,
  report,
  started
} from '../support/runs.js'

const fake = createFakeCore()
jest.unstable_mockModule('@actions/core', () => fake.module)
const { shortText } = await import('../../src/report/report.js')
const { writeFinalSummary } = await import('../../src/report/summary.js')
const { escapeSummaryText } = await import('../../src/report/summary-escape.js')

beforeEach(() => fake.reset())

describe("failed actions' error messages in the job summary", () => {
  it('are in the job summary, escaped', async () => {
    await writeFinalSummary(started(failedWithMessages), report(failedWithMessages))
    const html = fake.record.summary.join('\n')
    expect(html).toContain(
      `<li><strong>Deploy &#42;prod&#42; &#60;b&#62;</strong> (FAILED): ${escapeSummaryText(shortText(longErrorMessage))}</li>`
    )
    expect(html).not.toContain('Notify</strong>')
    expect(html).not.toContain('never shown')
  })

  it('leave the summary alone when no failed action has one', async () => {
    await writeFinalSummary(
      started(execution('SUCCESSFUL', [action('Build', 'SUCCESSFUL')])),
      report(execution('SUCCESSFUL', []))
    )
    expect(fake.record.summary.join('\n')).not.toContain('Failed actions')
  })
})

describe('a run whose token was refused while following', () => {
  it('is shown as last seen, not as ended', async () => {
    const going = execution('INPROGRESS', [action('Build', 'INPROGRESS')])
    await writeFinalSummary(started(going), report(going, 'token-refused'))
    const html = fake.record.summary.join('\n')
    expect(html).toContain('🔄 Buddy run #7: INPROGRESS (not followed to its end)')
    expect(html).toContain(
      '<p>Buddy refused the token while this step followed the run (it expired or was revoked): the run was last seen INPROGRESS, was not seen to end, and may still be going in Buddy.</p>'
    )
  })
})
