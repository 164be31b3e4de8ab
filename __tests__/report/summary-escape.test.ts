import { escapeSummaryText } from '../../src/report/summary-escape.js'

describe('escapeSummaryText', () => {
  it.each([
    ['plain text 42', 'plain text 42'],
    ['<script>&', '&#60;script&#62;&#38;'],
    ['**bold** _it_ `code`', '&#42;&#42;bold&#42;&#42; &#95;it&#95; &#96;code&#96;'],
    ['[link](https://x)', '&#91;link&#93;&#40;https://x&#41;'],
    ['a | b', 'a &#124; b'],
    ['@team ~~x~~ #1 ![i]', '&#64;team &#126;&#126;x&#126;&#126; &#35;1 &#33;&#91;i&#93;']
  ])('%j → %j', (text, escaped) => {
    expect(escapeSummaryText(text)).toBe(escaped)
  })
})
