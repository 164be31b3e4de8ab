/**
 * The step's output read as GitHub's runner reads it (actions/runner), to find the lines it
 * would take as workflow commands:
 * - Runner.Sdk/ProcessInvoker.cs: stdout and stderr are read with .NET's StreamReader.ReadLine(),
 *   so a line ends at "\r\n", "\r" or "\n", and nowhere else.
 * - Runner.Worker/Handlers/OutputManager.cs: a line holding "::" or "##[" goes to
 *   ActionCommandManager.TryProcessCommand.
 * - Runner.Common/ActionCommand.cs: TryParseV2 — the line after TrimStart() (.NET white space)
 *   starts with "::", a second "::" after it ends "name properties"; the name (up to the first
 *   space) must be a registered command, case-insensitively; properties are "k=v" split on ",".
 *   Then TryParse, the older form — "##[" anywhere, "name properties" up to the next "]",
 *   properties split on ";".
 * - Runner.Worker/ActionCommandManager.cs: "stop-commands" with a token stops all commands until
 *   a command named by that token; the registered commands are the extensions below.
 * Written once here, so that every test reads the output the same way. (The runner matches
 * "::" and "##[" with .NET's culture-aware StartsWith and IndexOf; this reader matches them
 * exactly, as the runner does under invariant globalization.)
 */

/** The commands the runner registers (ActionCommandManager's extensions), plus stop-commands. */
export const RUNNER_COMMANDS = [
  'add-mask',
  'add-matcher',
  'add-path',
  'debug',
  'echo',
  'endgroup',
  'error',
  'group',
  'notice',
  'remove-matcher',
  'save-state',
  'set-env',
  'set-output',
  'stop-commands',
  'warning'
] as const

export interface RunnerCommand {
  /** As written (the runner compares names case-insensitively). */
  name: string
  properties: Record<string, string>
  data: string
  /** The whole line, as the runner split it. */
  line: string
}

/** The lines as the runner splits the output. */
export function runnerLines(output: string): string[] {
  const lines = output.split(/\r\n|\r|\n/)
  // ReadLine() gives no empty line after a final line break.
  if (lines.at(-1) === '') lines.pop()
  return lines
}

/** .NET's Char.IsWhiteSpace(): what String.TrimStart() drops. */
const DOTNET_LEADING_WHITE_SPACE =
  /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/

function unescape(text: string, mappings: [string, string][]): string {
  return mappings.reduce((t, [escaped, raw]) => t.split(escaped).join(raw), text)
}
const DATA_ESCAPES: [string, string][] = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%25', '%']
]
const PROPERTY_ESCAPES: [string, string][] = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%3A', ':'],
  ['%2C', ','],
  ['%25', '%']
]
const V1_ESCAPES: [string, string][] = [
  ['%3B', ';'],
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%5D', ']'],
  ['%25', '%']
]

function properties(text: string, separator: string, escapes: [string, string][]) {
  const found: Record<string, string> = {}
  for (const part of text.split(separator).filter(p => p !== '')) {
    const at = part.indexOf('=')
    if (at > 0 && at < part.length - 1)
      found[part.slice(0, at)] = unescape(part.slice(at + 1), escapes)
  }
  return found
}

/** ActionCommand.TryParseV2: "::name properties::data". */
function parseV2(line: string, registered: Set<string>): RunnerCommand | undefined {
  const message = line.replace(DOTNET_LEADING_WHITE_SPACE, '')
  if (!message.startsWith('::')) return undefined
  const end = message.indexOf('::', 2)
  if (end < 0) return undefined
  const info = message.slice(2, end)
  const space = info.indexOf(' ')
  const name = space < 0 ? info : info.slice(0, space)
  if (!registered.has(name.toLowerCase())) return undefined
  return {
    name,
    properties: space > 0 ? properties(info.slice(space + 1).trim(), ',', PROPERTY_ESCAPES) : {},
    data: unescape(message.slice(end + 2), DATA_ESCAPES),
    line
  }
}

/** ActionCommand.TryParse: "##[name properties]data", anywhere in the line. */
function parseV1(line: string, registered: Set<string>): RunnerCommand | undefined {
  const prefix = line.indexOf('##[')
  if (prefix < 0) return undefined
  const close = line.indexOf(']', prefix)
  if (close < 0) return undefined
  const info = line.slice(prefix + 3, close)
  const space = info.indexOf(' ')
  const name = space < 0 ? info : info.slice(0, space)
  if (!registered.has(name.toLowerCase())) return undefined
  return {
    name,
    properties: space > 0 ? properties(info.slice(space + 1), ';', V1_ESCAPES) : {},
    data: unescape(line.slice(close + 1), V1_ESCAPES),
    line
  }
}

/**
 * Every line the runner would act on as a command, in order: those it runs, and the
 * stop-commands pair around text it was told to ignore (nothing between them is a command).
 */
export function runnerCommands(output: string): RunnerCommand[] {
  const registered = new Set<string>(RUNNER_COMMANDS)
  const commands: RunnerCommand[] = []
  let stopToken: string | undefined
  for (const line of runnerLines(output)) {
    if (!line.includes('::') && !line.includes('##[')) continue
    const command = parseV2(line, registered) ?? parseV1(line, registered)
    if (!command) continue
    const name = command.name.toLowerCase()
    if (stopToken !== undefined) {
      if (name !== stopToken) continue
      registered.delete(stopToken)
      stopToken = undefined
      commands.push(command)
      continue
    }
    if (name === 'stop-commands') {
      stopToken = command.data.toLowerCase()
      registered.add(stopToken)
    }
    commands.push(command)
  }
  return commands
}
