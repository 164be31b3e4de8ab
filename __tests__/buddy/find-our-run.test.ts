/**
 * Finding the step's own run (src/buddy/find-our-run.ts): which runs are the step's, and the
 * search through the pipeline's list. The repeated look within the creation window is tested
 * through the run request (start-execution.test.ts) and the post step (post.test.ts).
 */
import type { RunRequestBody } from '../../src/buddy/model.js'
import { isOurExecution, searchForRun } from '../../src/buddy/find-our-run.js'
import { withStepMarker } from '../../src/buddy/step-marker.js'
import { simulatorPerTest } from '../support/simulator-per-test.js'
import { simulatorClient } from '../support/simulator-client.js'
import { body, COMMENT, MARKER, ref, REVISION } from '../support/run-request-fixture.js'

const sim = simulatorPerTest({ twoActions: false })

const lists = () => sim.requests.filter(r => r.method === 'GET' && r.path.endsWith('/executions'))

describe('isOurExecution', () => {
  const stepBegan = Date.parse('2026-11-27T12:00:00Z')
  const ours = {
    id: 5,
    status: 'INPROGRESS',
    comment: body.comment,
    branch: { name: 'main' },
    to_revision: { revision: REVISION },
    start_date: '2026-11-27T12:00:01Z'
  }
  const identity = { marker: MARKER, notBeforeMs: stepBegan, body }
  it.each<[string, object, boolean]>([
    ['the same request', {}, true],
    ['a custom comment that keeps the marker', { comment: `Deploy! ${MARKER}` }, true],
    ['the same comment text, without the marker', { comment: COMMENT }, false],
    [
      "a matrix sibling's marker",
      { comment: withStepMarker(COMMENT, '[gh-step 1.1.deploy.0badc0de.00000002]') },
      false
    ],
    ['another branch', { branch: { name: 'dev' } }, false],
    ['another commit', { to_revision: { revision: '2222222' } }, false],
    ['started well before the step began', { start_date: '2026-11-27T11:50:00Z' }, false],
    ['within the clock allowance', { start_date: '2026-11-27T11:59:00Z' }, true],
    ['a list entry without comment', { comment: undefined }, false],
    ['a list entry with an empty comment', { comment: '' }, false],
    ['a list entry without start date', { start_date: undefined }, false],
    ['the branch, written as a ref', { branch: { name: 'refs/heads/main' } }, true],
    ['a run that shows no branch', { branch: undefined }, true]
  ])('%s → %s', (_name, change, expected) => {
    expect(isOurExecution({ ...ours, ...change }, identity)).toBe(expected)
  })

  const pullRequest: RunRequestBody = {
    to_revision: { revision: REVISION },
    pull_request: { name: 'pull/42' },
    comment: body.comment
  }
  const prIdentity = { marker: MARKER, notBeforeMs: stepBegan, body: pullRequest }
  it.each<[string, { name?: string; number?: number } | undefined, boolean]>([
    ['named pull/42', { name: 'pull/42' }, true],
    ['named 42, as some answers name it', { name: '42' }, true],
    ['named 42 with its number', { name: '42', number: 42 }, true],
    ['only its number', { number: 42 }, true],
    ['named refs/pull/42/head', { name: 'refs/pull/42/head' }, true],
    ['not shown', undefined, true],
    ['another pull request by name', { name: '43' }, false],
    ['another pull request by number', { name: 'pull/42', number: 43 }, false]
  ])('a pull request run %s → %s', (_name, shown, expected) => {
    const run = { ...ours, branch: undefined, pull_request: shown }
    expect(isOurExecution(run, prIdentity)).toBe(expected)
  })

  it('a codeless request (no revision, no ref) is matched by marker and time', () => {
    const codeless = { marker: MARKER, notBeforeMs: stepBegan, body: { comment: body.comment } }
    expect(isOurExecution({ ...ours, branch: undefined, to_revision: undefined }, codeless)).toBe(
      true
    )
  })
})

describe('searchForRun', () => {
  it('reads further pages until runs older than the step', async () => {
    const { client } = simulatorClient(sim)
    const notBeforeMs = Date.now() - 60_000
    for (let i = 0; i < 45; i++) {
      await fetch(`${sim.url}/workspaces/acme/projects/web/pipelines/1/executions`, {
        method: 'POST',
        headers: { Authorization: 'Bearer sim-token', 'Content-Type': 'application/json' },
        body: JSON.stringify({
          to_revision: { revision: REVISION },
          branch: { name: 'main' },
          comment: i === 0 ? body.comment : `other ${i}`
        })
      })
    }
    const found = await searchForRun(client, ref, { marker: MARKER, notBeforeMs })
    expect(found).toMatchObject({ kind: 'found', execution: { id: 1 } })
    expect(lists().map(r => r.query.page)).toEqual(['1', '2', '3'])
  })
})
