// Writes the README's inputs and outputs tables from action.yml, between marker comments, so
// that the two cannot disagree: `npm run docs:tables` (or `-- --check`, exit 1 when the README
// is not what this script writes). __tests__/readme.test.ts runs the same check.
//
// Each row: the name, the default (inputs), action.yml's description, a link to where the docs
// say more, and "Unreleased" for what is on main but not in the latest release.

import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parse } from 'yaml'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** Where the docs say more about an input or output (README-relative links). */
export const MORE = {
  inputs: {
    token: 'docs/events.md#the-buddy-tokens-scopes',
    'provider-id': 'docs/examples.md#oidc-no-stored-buddy-token',
    audience: 'docs/examples.md#oidc-no-stored-buddy-token',
    'api-url': 'docs/network.md#which-buddy-the-step-talks-to',
    region: 'docs/network.md#which-buddy-the-step-talks-to',
    workspace: '#set-it-up-in-buddy',
    project: '#set-it-up-in-buddy',
    'pipeline-id': '#set-it-up-in-buddy',
    pipeline: '#set-it-up-in-buddy',
    'execution-id': 'docs/following.md#follow-a-run-started-elsewhere',
    revision: 'docs/events.md#pipelines-bound-to-one-ref',
    branch: 'docs/examples.md#run-something-other-than-the-events-ref',
    tag: 'docs/examples.md#run-something-other-than-the-events-ref',
    'pull-request': 'docs/events.md#pull-requests-from-forks',
    variables: 'docs/examples.md#variables-and-secret-variables',
    'secret-variables': 'docs/examples.md#variables-and-secret-variables',
    comment: 'docs/failures.md#failures-and-retries',
    'cancel-previous': 'docs/following.md#supersede-stale-runs',
    'github-token': 'docs/events.md#permissions-and-github-token',
    'allow-fork-code': 'docs/events.md#pull-requests-from-forks',
    wait: 'docs/following.md#waiting-for-the-run',
    timeout: 'docs/following.md#waiting-for-the-run',
    'poll-interval': 'docs/following.md#waiting-for-the-run',
    'cancel-on-timeout': 'docs/following.md#waiting-for-the-run',
    'cancel-on-job-cancel': 'docs/failures.md#cancelling-at-any-moment',
    'propagate-failure': 'docs/following.md#gate-a-deploy-job-on-the-runs-status',
    retries: 'docs/following.md#retry-a-failed-run',
    'on-approval': 'docs/following.md#approve-from-github',
    logs: 'docs/following.md#action-logs'
  },
  outputs: {
    attempts: 'docs/following.md#retry-a-failed-run',
    variables: 'docs/following.md#use-what-the-run-exported'
  }
}

/**
 * What main has that the latest release (see CHANGELOG.md) has not: whole inputs and outputs,
 * or some values of an input. A test checks that each is named under CHANGELOG's "Unreleased";
 * releasing moves those entries to the version's section, and this list must then be emptied.
 */
export const UNRELEASED = {
  inputs: { 'execution-id': true, 'cancel-previous': true, retries: true, 'request-timeout': true },
  values: { logs: ['live'], 'on-approval': ['approve'] },
  outputs: { attempts: true, variables: true }
}

/** Markdown for a table cell: one line, pipes escaped, `<` kept from reading as HTML. */
function cell(text) {
  return String(text)
    .replace(/\s*\n\s*/g, ' ')
    .trim()
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/</g, '&lt;')))
    .join('')
    .replace(/\|/g, '\\|')
}

/**
 * A compact table (cells not padded: padded, the inputs table alone would weigh 10 kB), inside
 * prettier-ignore comments so that Prettier does not pad it.
 */
function table(header, rows) {
  const line = r => `| ${r.join(' | ')} |`
  return [
    '<!-- prettier-ignore-start -->',
    line(header),
    line(header.map(() => '---')),
    ...rows.map(line),
    '<!-- prettier-ignore-end -->',
    ''
  ].join('\n')
}

function describe(kind, name, spec) {
  const parts = [cell(spec.description ?? '')]
  const more = MORE[kind][name]
  if (more) parts.push(`[More](${more}).`)
  if (UNRELEASED[kind][name]) parts.push('_Unreleased._')
  const values = kind === 'inputs' ? UNRELEASED.values[name] : undefined
  if (values) parts.push(`_Unreleased: ${values.map(v => `\`${v}\``).join(', ')}._`)
  return parts.join(' ')
}

function defaultOf(spec) {
  if (spec.required) return 'required'
  if (spec.default === undefined || spec.default === null) return '—'
  return `\`${String(spec.default)}\``
}

/** The two tables, from action.yml's text. */
export function renderTables(actionYml) {
  const action = parse(actionYml)
  const inputs = Object.entries(action.inputs ?? {}).map(([name, spec]) => [
    `\`${name}\``,
    defaultOf(spec),
    describe('inputs', name, spec)
  ])
  const outputs = Object.entries(action.outputs ?? {}).map(([name, spec]) => [
    `\`${name}\``,
    describe('outputs', name, spec)
  ])
  return {
    inputs: table(['input', 'default', 'description'], inputs),
    outputs: table(['output', 'description'], outputs)
  }
}

/** The README with its tables replaced by what action.yml says; throws when a marker is missing. */
export function withTables(readme, actionYml) {
  const tables = renderTables(actionYml)
  let text = readme
  for (const kind of ['inputs', 'outputs']) {
    const start = new RegExp(`<!-- ${kind}:start[^>]*-->\\n`)
    const end = `<!-- ${kind}:end -->`
    const from = start.exec(text)
    const to = text.indexOf(end)
    if (!from || to < from.index)
      throw new Error(`README.md has no "<!-- ${kind}:start" … "${end}"`)
    text = text.slice(0, from.index + from[0].length) + tables[kind] + text.slice(to)
  }
  return text
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const readmePath = `${ROOT}/README.md`
  const readme = readFileSync(readmePath, 'utf8')
  const wanted = withTables(readme, readFileSync(`${ROOT}/action.yml`, 'utf8'))
  if (process.argv.includes('--check')) {
    if (wanted !== readme) {
      console.error(
        'README.md: the inputs or outputs tables differ from action.yml: run npm run docs:tables'
      )
      process.exit(1)
    }
    console.log('README.md: the inputs and outputs tables are what action.yml says')
  } else if (wanted !== readme) {
    writeFileSync(readmePath, wanted)
    console.log('README.md: inputs and outputs tables written from action.yml')
  } else {
    console.log('README.md: the tables were already up to date')
  }
}
