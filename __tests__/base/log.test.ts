import fc from 'fast-check'
import { hasControlCharacter, oneLine, plain } from '../../src/base/log.js'
import { runnerCommands } from '../support/runner-output.js'

describe('plain (lines that carry text from Buddy or inputs)', () => {
  it.each([
    ['Build: SUCCESSFUL', 'Build: SUCCESSFUL'],
    ['::add-mask::x', '› ::add-mask::x'],
    ['   ::warning::x', '›    ::warning::x'],
    ['a ##[set-output name=x;]y', 'a ## [set-output name=x;]y'],
    ['ok\n::error::x', 'ok\n› ::error::x'],
    // A carriage return alone ends a line for the runner.
    ['Deploy\r::error title=Injected::x', 'Deploy\n› ::error title=Injected::x'],
    ['Deploy\r\n::error::x', 'Deploy\n› ::error::x'],
    // .NET's TrimStart() drops U+0085 (JavaScript's does not), and U+2028, U+3000.
    ['a\n\u0085::error::x', 'a\n› \u0085::error::x'],
    ['a\r\u2028\u3000::error::x', 'a\n› \u2028\u3000::error::x'],
    // A soft hyphen or zero-width space before "::": guarded too.
    ['\u00ad::error::x', '› \u00ad::error::x'],
    ['a :: b', 'a :: b']
  ])('%j → %j', (text, expected) => {
    expect(plain(text)).toBe(expected)
  })

  /** Pieces an attacker would put together: line breaks, white space .NET trims, commands. */
  const piece = fc.constantFrom(
    '\n',
    '\r',
    '\r\n',
    '\u0085',
    '\u2028',
    '\u2029',
    '\u00a0',
    '\u3000',
    '\t',
    '\v',
    '\f',
    ' ',
    '\u00ad',
    '::',
    ':',
    '##[',
    '#',
    '[',
    ']',
    'error',
    'set-output name=x',
    'stop-commands',
    'x'
  )
  const text = fc.oneof(
    fc.array(piece, { maxLength: 12 }).map(parts => parts.join('')),
    fc.string({ unit: 'binary', maxLength: 40 })
  )

  it('whatever the text, the runner reads no command in it (fast-check)', () => {
    fc.assert(
      fc.property(text, value => {
        expect(runnerCommands(`${plain(value)}\n`)).toEqual([])
      }),
      { numRuns: 2000, seed: 20261210 }
    )
  })

  it('keeps every line of the text, split where the runner splits it', () => {
    fc.assert(
      fc.property(text, value => {
        expect(plain(value).split('\n')).toHaveLength(value.split(/\r\n|\r|\n/).length)
      }),
      { numRuns: 500, seed: 20261210 }
    )
  })
})

describe('oneLine and hasControlCharacter (one sanitiser for control characters)', () => {
  it('puts text on one line: each run of control characters becomes one space', () => {
    expect(oneLine('a\r\nb\u0007c')).toBe('a b c')
    expect(oneLine('\u001b[31mred\u007f ')).toBe('[31mred')
    expect(oneLine('a\u0085b\u2028c\u2029d')).toBe('a b c d')
  })

  it.each([
    ['plain text', false],
    ['tab\there', true],
    ['line\nbreak', true],
    ['carriage\rreturn', true],
    ['nul\u0000', true],
    ['del\u007f', true],
    ['next line\u0085', true],
    ['line separator\u2028', true],
    ['é ü ✓', false]
  ])('hasControlCharacter(%j) = %j', (text, expected) => {
    expect(hasControlCharacter(text)).toBe(expected)
  })
})
