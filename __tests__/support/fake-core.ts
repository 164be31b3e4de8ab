/**
 * A stand-in for @actions/core that records what the step would tell the runner, for running
 * main.ts in-process (with jest.unstable_mockModule) under a virtual clock.
 */
export function createFakeCore() {
  const record = {
    inputs: {} as Record<string, string>,
    state: {} as Record<string, string>,
    outputs: {} as Record<string, string>,
    secrets: [] as string[],
    /** Everything written to the log, as the runner would see it (commands included). */
    log: [] as string[],
    /** What went through core.info: plain log text, where no workflow command may hide. */
    infoLines: [] as string[],
    failed: undefined as string | undefined,
    summary: [] as string[],
    idToken: 'sim.github.oidc-jwt'
  }
  const summary = {
    addHeading(text: string) {
      record.summary.push(text)
      return summary
    },
    addTable(rows: unknown) {
      record.summary.push(JSON.stringify(rows))
      return summary
    },
    addRaw(text: string) {
      record.summary.push(text)
      return summary
    },
    async write() {
      return summary
    }
  }
  const module = {
    getInput: (name: string, options?: { trimWhitespace?: boolean }) => {
      const value = record.inputs[name] ?? ''
      return options?.trimWhitespace === false ? value : value.trim()
    },
    setSecret: (secret: string) => {
      record.secrets.push(secret)
      record.log.push(`::add-mask::${secret}`)
    },
    setOutput: (name: string, value: unknown) => {
      record.outputs[name] = String(value)
    },
    setFailed: (message: string) => {
      record.failed = message
      record.log.push(`::error::${message}`)
    },
    info: (message: string) => {
      record.log.push(message)
      record.infoLines.push(...message.split('\n'))
    },
    debug: (message: string) => void record.log.push(`::debug::${message}`),
    warning: (message: string) => void record.log.push(`::warning::${message}`),
    error: (message: string) => void record.log.push(`::error::${message}`),
    notice: (message: string) => void record.log.push(`::notice::${message}`),
    startGroup: (name: string) => void record.log.push(`::group::${name}`),
    endGroup: () => void record.log.push('::endgroup::'),
    saveState: (name: string, value: unknown) => {
      record.state[name] = String(value)
    },
    getState: (name: string) => record.state[name] ?? '',
    getIDToken: async () => {
      record.secrets.push(record.idToken)
      return record.idToken
    },
    summary
  }
  const reset = () => {
    record.inputs = {}
    record.state = {}
    record.outputs = {}
    record.secrets = []
    record.log = []
    record.infoLines = []
    record.failed = undefined
    record.summary = []
  }
  return { module, record, reset }
}
