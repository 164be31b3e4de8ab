import { hasControlCharacter, oneLine, plain } from '../../src/report/log.js'

describe('plain (lines that carry text from Buddy or inputs)', () => {
  it.each([
    ['Build: SUCCESSFUL', 'Build: SUCCESSFUL'],
    ['::add-mask::x', '› ::add-mask::x'],
    ['   ::warning::x', '›    ::warning::x'],
    ['a ##[set-output name=x;]y', 'a ## [set-output name=x;]y'],
    ['ok\n::error::x', 'ok\n› ::error::x'],
    ['a :: b', 'a :: b']
  ])('%j → %j', (text, expected) => {
    expect(plain(text)).toBe(expected)
  })
})

describe('oneLine and hasControlCharacter (one sanitiser for control characters)', () => {
  it('puts text on one line: each run of control characters becomes one space', () => {
    expect(oneLine('a\r\nb\u0007c')).toBe('a b c')
    expect(oneLine('\u001b[31mred\u007f ')).toBe('[31mred')
  })

  it.each([
    ['plain text', false],
    ['tab\there', true],
    ['line\nbreak', true],
    ['nul\u0000', true],
    ['del\u007f', true],
    ['é ü ✓', false]
  ])('hasControlCharacter(%j) = %j', (text, expected) => {
    expect(hasControlCharacter(text)).toBe(expected)
  })
})
