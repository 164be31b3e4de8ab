import type { ActionExecution, Execution, OutputtedVariable } from '../../src/buddy/model.js'
import { exportedVariables, VARIABLE_NAME } from '../../src/report/exported-variables.js'

const run = (...actions: (OutputtedVariable[] | undefined)[]): Execution => ({
  id: 1,
  status: 'SUCCESSFUL',
  action_executions: actions.map((outputted_variables, i): ActionExecution => ({
    action: { id: i + 1, name: `action ${i + 1}` },
    status: 'SUCCESSFUL',
    ...(outputted_variables && { outputted_variables })
  }))
})

describe('the variables a run exported', () => {
  it('gathers every action’s variables, a later action winning on the same name', () => {
    const result = exportedVariables(
      run(
        [
          { key: 'DEPLOY_URL', value: 'https://old.example' },
          { key: 'VERSION', value: '1.2.3' }
        ],
        undefined,
        [{ key: 'DEPLOY_URL', value: 'https://new.example' }]
      )
    )
    expect(result.values).toEqual({ DEPLOY_URL: 'https://new.example', VERSION: '1.2.3' })
    expect(result.invalidKeys).toEqual([])
    expect(result.secrets).toEqual([])
  })

  it('is empty for a run without actions or variables', () => {
    expect(exportedVariables({ id: 1, status: 'FAILED' }).values).toEqual({})
    expect(exportedVariables(run(undefined, [])).values).toEqual({})
  })

  it('keeps values as Buddy gave them: untrusted text is data, never interpreted', () => {
    const value = '::set-output name=x::y\n$(rm -rf /) ${{ secrets.X }} "quoted"'
    const result = exportedVariables(run([{ key: 'TEXT', value }]))
    expect(result.values.TEXT).toBe(value)
    expect(JSON.parse(JSON.stringify(result.values))).toEqual({ TEXT: value })
  })

  it('leaves out keys that are not names, and says which, once each', () => {
    const result = exportedVariables(
      run(
        [
          { key: 'GOOD_1', value: 'a' },
          { key: '1BAD', value: 'b' },
          { key: 'has space', value: 'c' },
          { key: 'dash-ed', value: 'd' },
          { key: '', value: 'e' }
        ],
        [{ key: 'dash-ed', value: 'f' }]
      )
    )
    expect(result.values).toEqual({ GOOD_1: 'a' })
    expect(result.invalidKeys).toEqual(['1BAD', 'has space', 'dash-ed', ''])
  })

  it('keeps a key such as __proto__ an ordinary key', () => {
    const result = exportedVariables(run([{ key: '__proto__', value: 'x' }]))
    expect(Object.getPrototypeOf(result.values)).toBe(Object.prototype)
    expect(JSON.stringify(result.values)).toBe('{"__proto__":"x"}')
  })

  it('leaves out variables Buddy marks encrypted, to be masked', () => {
    const result = exportedVariables(
      run(
        [
          { key: 'TOKEN', value: 'plain-then-secret' },
          { key: 'PASSWORD', value: 's3cr3t', encrypted: true }
        ],
        [{ key: 'TOKEN', value: 'now-secret', encrypted: true }]
      )
    )
    expect(result.values).toEqual({})
    expect(result.secrets).toEqual([
      { key: 'PASSWORD', value: 's3cr3t', why: 'marked' },
      { key: 'TOKEN', value: 'now-secret', why: 'marked' }
    ])
  })

  it.each<[string, string, boolean]>([
    ["Buddy's YAML form of an encrypted value", '!encrypted eTOyGxpKT8m7AFyKVySBQCcam==', true],
    ["Buddy's secure! form", 'secure!XHJYSxKYu0Qv8Y/9UsOdsA==.UiHGW8fuuUVq0VBjzZQwKg==', true],
    ['a plain value', 'https://preview-42.example.com', false],
    ['the word alone', '!encrypted', false],
    ['the prefix alone', 'secure!', false],
    ['the form later in the value', 'not !encrypted abc', false],
    ['an empty value', '', false]
  ])('a value in encrypted form is never passed off as plain: %s', (_name, value, secret) => {
    const result = exportedVariables(run([{ key: 'V', value }]))
    expect(result.values).toEqual(secret ? {} : { V: value })
    expect(result.secrets).toEqual(secret ? [{ key: 'V', value, why: 'encrypted-form' }] : [])
  })

  it('a later secret in encrypted form makes an earlier plain value of its name stale', () => {
    const result = exportedVariables(
      run(
        [{ key: 'DB_PASSWORD', value: 'default' }],
        [{ key: 'DB_PASSWORD', value: '!encrypted QUJD' }]
      )
    )
    expect(result.values).toEqual({})
    expect(result.secrets).toEqual([
      { key: 'DB_PASSWORD', value: '!encrypted QUJD', why: 'encrypted-form' }
    ])
  })

  it('skips items without a string key and value', () => {
    const result = exportedVariables(
      run([
        { key: 'NO_VALUE' },
        { value: 'no key' },
        { key: null, value: null },
        { key: 'OK', value: '' }
      ])
    )
    expect(result.values).toEqual({ OK: '' })
    expect(result.invalidKeys).toEqual([])
  })

  it.each([
    ['A', true],
    ['_', true],
    ['deploy_url2', true],
    ['2X', false],
    ['A.B', false],
    ['A-B', false],
    ['É', false],
    ['A\n', false]
  ])('%j is a name: %p', (key, ok) => {
    expect(VARIABLE_NAME.test(key)).toBe(ok)
  })
})
