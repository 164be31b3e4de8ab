import type { RunRequestBody } from '../../src/buddy/model.js'
import { withStepMarker } from '../../src/buddy/step-marker.js'

/** One step's run request on the simulator's pipeline 1: the run request's and own-run tests. */
export const ref = { workspace: 'acme', project: 'web', pipelineId: 1 }
export const REVISION = '1111111111111111111111111111111111111111'
export const COMMENT = 'GitHub Actions: o/r · CI #1 https://github.com/o/r/actions/runs/1'
export const MARKER = '[gh-step 1.1.deploy.0badc0de.00000001]'
export const body: RunRequestBody = {
  to_revision: { revision: REVISION },
  branch: { name: 'main' },
  comment: withStepMarker(COMMENT, MARKER),
  priority: 'NORMAL'
}
