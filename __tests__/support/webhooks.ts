import { createRequire } from 'node:module'

/** Real webhook payloads from the npm package @octokit/webhooks-examples. */
const require = createRequire(import.meta.url)
const index = require('@octokit/webhooks-examples/api.github.com/index.json') as {
  name: string
  examples: Record<string, unknown>[]
}[]

export function webhookExamples(event: string): Record<string, unknown>[] {
  const found = index.find(w => w.name === event)
  if (!found) throw new Error(`no examples for ${event}`)
  return found.examples.map(e => structuredClone(e))
}

/** The first example of an event that satisfies a condition. */
export function webhookExample(
  event: string,
  where: (payload: Record<string, unknown>) => boolean = () => true
): Record<string, unknown> {
  const found = webhookExamples(event).find(where)
  if (!found) throw new Error(`no ${event} example matches`)
  return found
}
