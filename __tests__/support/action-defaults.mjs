// action.yml's inputs and their defaults, read without a YAML library: `npm run demo` must work
// right after `git clone`, before `npm ci`. It reads only the block form action.yml uses (each
// input a two-space key under `inputs:`, its `default:` four spaces in, plain or quoted on one
// line); a test checks it against a real YAML parser, so the two cannot drift apart.

import { readFileSync } from 'node:fs'

/** @returns {Record<string, string | undefined>} input name → default (undefined: none) */
export function readActionDefaults(path) {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/)
  /** @type {Record<string, string | undefined>} */
  const inputs = {}
  let inInputs = false
  let current
  for (const line of lines) {
    if (/^\S/.test(line)) {
      inInputs = line.startsWith('inputs:')
      continue
    }
    if (!inInputs) continue
    const name = /^ {2}([A-Za-z0-9_-]+):\s*$/.exec(line)
    if (name) {
      current = name[1]
      inputs[current] = undefined
      continue
    }
    const value = /^ {4}default:\s*(.*)$/.exec(line)
    if (value && current) inputs[current] = unquote(value[1].trim())
  }
  return inputs
}

function unquote(text) {
  if (text.startsWith("'") && text.endsWith("'")) return text.slice(1, -1).replace(/''/g, "'")
  if (text.startsWith('"') && text.endsWith('"')) return JSON.parse(text)
  return text
}
