import { jest } from '@jest/globals'

/**
 * Mermaid's own gantt parser, run in Node: the chart text goes through mermaid's detection, its
 * entity handling (encodeEntities) and the gantt grammar into its gantt database, as when GitHub
 * renders a summary. Mermaid cleans labels with DOMPurify, which needs a browser's DOM: here it is
 * replaced by one that passes text through (names reach the database as the parser read them).
 * Mermaid is a dev dependency only: nothing in src/ imports it.
 */
jest.unstable_mockModule('dompurify', () => ({
  default: {
    sanitize: (text: string) => text,
    addHook: () => undefined,
    removeHook: () => undefined,
    removeHooks: () => undefined,
    removeAllHooks: () => undefined,
    setConfig: () => undefined,
    clearConfig: () => undefined,
    isSupported: true
  }
}))
const { default: mermaid } = await import('mermaid')
// mermaid.parse registers Mermaid's diagram types on its first call: once, here.
await mermaid.parse('gantt\n  title registered')

export interface GanttTask {
  /** As Mermaid shows it: its entity codes turned back into characters, trimmed. */
  name: string
  section: string
  startMs: number
  endMs: number
}

interface GanttDb {
  getTasks(): { task: string; section: string; startTime: Date; endTime: Date }[]
  getDiagramTitle(): string
}

/** Mermaid's placeholders for entity codes (encodeEntities), back to the characters they stand for. */
function decodeEntities(text: string): string {
  return text.replace(/ﬂ°°(\d+)¶ß/g, (_, code: string) => String.fromCodePoint(Number(code)))
}

/** Parses a chart (with or without its ```mermaid fence); throws Mermaid's parse error. */
export async function parseGantt(chart: string): Promise<{ title: string; tasks: GanttTask[] }> {
  const text = chart.replace(/^```mermaid\n/, '').replace(/\n```$/, '')
  // What mermaid.parse does past its first call, keeping the diagram (parse then building it
  // once more was most of the suite's Mermaid time: each build merges Mermaid's whole config).
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text)
  if (diagram.type !== 'gantt') throw new Error(`not a gantt chart: ${diagram.type}`)
  const db = diagram.db as unknown as GanttDb
  return {
    title: db.getDiagramTitle(),
    tasks: db.getTasks().map(t => ({
      name: decodeEntities(t.task).trim(),
      section: t.section,
      startMs: t.startTime.getTime(),
      endMs: t.endTime.getTime()
    }))
  }
}
