import { INPUT_NAMES, RUN_REQUEST_INPUTS, UNTRIMMED_INPUTS } from '../../src/inputs/input-table.js'
import { action } from '../support/raw-inputs.js'

describe('input names', () => {
  it('are exactly the inputs of action.yml', () => {
    expect([...INPUT_NAMES].sort()).toEqual(Object.keys(action.inputs).sort())
  })
})

describe('lists derived from the table', () => {
  it('run request inputs: those "execution-id" refused from a list kept by hand, then cancel-previous', () => {
    expect(RUN_REQUEST_INPUTS).toEqual([
      'revision',
      'branch',
      'tag',
      'pull-request',
      'variables',
      'secret-variables',
      'comment',
      'actions-to-run',
      'delay-until',
      // Refused when true: the check added it to the hand-kept list itself.
      'cancel-previous'
    ])
  })

  it('run request inputs have no default in action.yml, but cancel-previous (false): leaving one out shows', () => {
    const defaulted = RUN_REQUEST_INPUTS.filter(n => action.inputs[n]?.default !== undefined)
    expect(defaulted).toEqual(['cancel-previous'])
    expect(String(action.inputs['cancel-previous']?.default)).toBe('false')
  })

  it('inputs taken as written: comment, variables and secret-variables', () => {
    expect([...UNTRIMMED_INPUTS].sort()).toEqual(['comment', 'secret-variables', 'variables'])
  })
})
