/**
 * Reading an event's payload: untyped JSON, partly written by outsiders (titles, branch names,
 * a fork's repository), read one field at a time, anything of an unexpected type read as absent.
 * Shared by the event handlers and the fork policy, so that both read a payload the same way.
 */

export type Json = Record<string, unknown>

/** An object, or an empty one. */
export const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {})

/** A non-empty string, or undefined. */
export const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : undefined

/** A positive integer (a pull request's or an issue's number), or undefined. */
export const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined

/** The repository the workflow runs in, from the payload (GITHUB_REPOSITORY's twin). */
export const baseRepositoryOf = (payload: Json) => str(obj(payload.repository).full_name)
