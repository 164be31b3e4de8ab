import type { RawInputs } from '../../src/inputs/input-table.js'
import type { Settings } from '../../src/inputs/settings.js'
import { secretValues } from '../../src/inputs/variables-and-secrets.js'
import { errorOf, settingsOf } from '../support/raw-inputs.js'

describe('valid values', () => {
  it.each<[Partial<RawInputs>, (s: Settings) => unknown, unknown]>([
    [
      { variables: '  A=  spaced both ends  \nB=last line keeps its spaces  ' },
      s => s.variables.map(v => v.value),
      ['  spaced both ends  ', 'last line keeps its spaces  ']
    ],
    [
      { variables: 'JSON<<EOF\n{\n  "a": 1\n}\nEOF\nAFTER=x\n' },
      s => s.variables,
      [
        { key: 'JSON', value: '{\n  "a": 1\n}', encrypted: false },
        { key: 'AFTER', value: 'x', encrypted: false }
      ]
    ],
    [
      { variables: 'EMPTY<<END\nEND\nKEEP<<END\n\n  x  \nEND' },
      s => s.variables.map(v => v.value),
      ['', '\n  x  ']
    ],
    [{ variables: 'A=x<<y' }, s => s.variables[0]?.value, 'x<<y'],
    [
      { variables: 'A=1\n\n  B = x=y \r\nEMPTY=' },
      s => s.variables,
      [
        { key: 'A', value: '1', encrypted: false },
        { key: 'B', value: ' x=y ', encrypted: false },
        { key: 'EMPTY', value: '', encrypted: false }
      ]
    ],
    [
      { variables: 'A=1', 'secret-variables': 'PASS=s3cr=t' },
      s => s.variables,
      [
        { key: 'A', value: '1', encrypted: false },
        { key: 'PASS', value: 's3cr=t', encrypted: true }
      ]
    ]
  ])('%j', (values, pick, expected) => {
    expect(pick(settingsOf(values))).toEqual(expected)
  })
})

describe('invalid values name the input, the value and what is accepted', () => {
  it.each<[Partial<RawInputs>, RegExp]>([
    [
      { variables: 'A=1\nPEM<<END\nline\n' },
      /Input "variables" is not valid: line 2 \("PEM<<END"\) starts a multi-line value that no line "END" ends\./
    ],
    [
      { variables: 'PEM<<\nx' },
      /Input "variables" is not valid: line 1 \("PEM<<"\) has no delimiter after "<<"/
    ],
    [
      { variables: 'NOEQUALS' },
      /Input "variables" \("NOEQUALS"\) is not valid: line 1 \("NOEQUALS"\) has no "=": expected KEY=VALUE, one per line, or KEY<<DELIMITER for a multi-line value\./
    ],
    [{ variables: '1A=x' }, /key "1A" is not a variable name/],
    [{ variables: 'A=1\nA=2' }, /A is given twice/],
    [
      { variables: 'A=1', 'secret-variables': 'A=2' },
      /Variable A is in both "variables" and "secret-variables"/
    ]
  ])('%j', (values, message) => {
    expect(errorOf(values)).toMatch(message)
  })

  it('never shows a secret value, even when it is malformed', () => {
    const message = errorOf({ 'secret-variables': 'hunter2-no-equals' })
    expect(message).toMatch(/Input "secret-variables" is not valid: line 1 has no "="/)
    expect(message).not.toContain('hunter2')
    const badKey = errorOf({ 'secret-variables': 'bad key=hunter2' })
    expect(badKey).not.toContain('hunter2')
    for (const pasted of ['dGhpcyBpcyBzZWNyZXQ=', 'c2VjcmV0IHR3bw==', 'EMPTY=', 'SPACES=   ']) {
      const message = errorOf({ 'secret-variables': `OK=fine\n${pasted}` })
      expect(message).toBe(
        'Input "secret-variables" is not valid: line 2 has an empty value: is the secret it comes from set? A secret written without "KEY=" would be read as a key, so this is refused.'
      )
    }
    expect(errorOf({ 'secret-variables': 'A=1\nA=2' })).toBe(
      'Input "secret-variables" is not valid: line 2: a key is given twice.'
    )
    const unclosed = errorOf({ 'secret-variables': 'KEY<<END\nhunter2' })
    expect(unclosed).toBe(
      'Input "secret-variables" is not valid: line 1 starts a multi-line value that no line "END" ends.'
    )
  })
})

describe('secretValues', () => {
  it('lists the token, the GitHub token and every secret variable value', () => {
    expect(
      secretValues({
        token: ' tok ',
        'github-token': 'ghs',
        'secret-variables': 'A=x=1\n\nB=y\nwhole-secret'
      }).sort()
    ).toEqual(['ghs', 'tok', 'whole-secret', 'x=1', 'y'].sort())
  })

  it('masks a value as written and trimmed, so that either form is hidden', () => {
    expect(secretValues({ 'secret-variables': 'A=  padded secret  ' }).sort()).toEqual(
      ['  padded secret  ', 'padded secret'].sort()
    )
  })

  it('masks every line of a multi-line secret, and the whole', () => {
    const pem =
      '-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34GkxFhD9\n  indented line  \n==\n-----END KEY-----'
    const secrets = secretValues({ 'secret-variables': `KEY<<PEM\n${pem}\nPEM\nNEXT=n3xt-value` })
    expect(secrets).toEqual(
      expect.arrayContaining([
        pem,
        '-----BEGIN KEY-----',
        'MIIBOgIBAAJBAKj34GkxFhD9',
        '  indented line  ',
        'indented line',
        '-----END KEY-----',
        'n3xt-value'
      ])
    )
    // "==" would mask that text everywhere and reveals nothing.
    expect(secrets).not.toContain('==')
    expect(secrets).not.toContain('PEM')
  })

  it('masks a line pasted without its key whole: never "=" alone, never half of it', () => {
    const secrets = secretValues({ 'secret-variables': 'dGhpcyBpcyBzZWNyZXQ=\nc2VjcmV0IHR3bw==' })
    expect(secrets.sort()).toEqual(['c2VjcmV0IHR3bw==', 'dGhpcyBpcyBzZWNyZXQ='].sort())
  })

  it('masks the lines of a multi-line secret that is never closed', () => {
    const secrets = secretValues({ 'secret-variables': 'KEY<<END\nfirst-secret-line\nsecond-line' })
    expect(secrets).toEqual(expect.arrayContaining(['first-secret-line', 'second-line']))
  })

  it('registers nothing for blank input', () => {
    expect(secretValues({ token: '', 'github-token': ' ', 'secret-variables': '\n\n' })).toEqual([])
  })
})
