/**
 * How long past its timeout the step may take to finish what follows the wait: the last status
 * read, the cancel, the logs of a run that has just ended, the summary. The README states it.
 */
export const FINISH_ALLOWANCE_MS = 30_000
