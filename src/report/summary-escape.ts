/**
 * Buddy's text in the job summary, which GitHub renders as Markdown with HTML: escaped so that it
 * shows as written and adds no markup, links or table cells. Pure.
 */

/**
 * Text from Buddy for the job summary, which GitHub renders as Markdown with HTML: every
 * character that HTML or Markdown gives a meaning to becomes a character reference, so the text
 * shows as written and can neither add markup nor links, emphasis, code or table cells.
 */
export function escapeSummaryText(text: string): string {
  return text.replace(/[&<>"'`*_[\]()\\|~#!@{}+=-]/g, c => `&#${c.charCodeAt(0)};`)
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}

// eslint-disable-next-line no-control-regex
const ANSI_SEQUENCE = /\u001b\[[0-9;?]*[ -/]*[@-~]/g
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f]/g

/**
 * Lines from Buddy as a <pre> block: colours and control characters dropped, every character
 * that HTML or Markdown reads escaped, and no line left blank (a blank line would end the HTML
 * block it sits in, and what follows would be read as Markdown).
 */
export function preformatted(lines: string[]): string {
  const shown = lines.map(line => {
    const text = escapeSummaryText(line.replace(ANSI_SEQUENCE, '').replace(CONTROL_BUT_TAB, ''))
    return text.trim() === '' ? '&#32;' : text
  })
  return `<pre>\n${shown.join('\n')}\n</pre>`
}

/**
 * A message of several lines (a failure's) as summary text: control characters dropped, each
 * line escaped, blank lines left out, the rest joined by <br>.
 */
export function escapeSummaryLines(message: string): string {
  return message
    .split(/\r?\n|\r/)
    .map(line => escapeSummaryText(line.replace(CONTROL_BUT_TAB, '')))
    .filter(line => line.trim() !== '')
    .join('<br>')
}
