/**
 * Whether a run Buddy lists is for the ref a run request names. The request names a pull request
 * `pull/5`, as Buddy's "Run execution" example does; Buddy's answers may name it `pull/5` or `5`
 * and may carry its `number`, and may give a branch as `main` or `refs/heads/main`. Every
 * comparison of refs (the step's own run, cancel-previous) goes through here. Pure.
 */

export type RefKind = 'branch' | 'tag' | 'pull_request'
export const REF_KINDS: readonly RefKind[] = ['branch', 'tag', 'pull_request']

/** A ref as an answer shows it; every field may be missing. */
export type ShownRef = { name?: string | null; number?: number | null } | null | undefined

/** pull/5, 5, #5, refs/pull/5, refs/pull/5/head or refs/pull/5/merge. */
const PULL_REQUEST_NAME = /^(?:#|pull\/|refs\/pull\/)?(\d{1,10})(?:\/(?:head|merge))?$/

/** The pull request's number: its `number`, else read from its name; undefined when neither. */
export function pullRequestNumber(pr: ShownRef): number | undefined {
  if (typeof pr?.number === 'number' && Number.isSafeInteger(pr.number) && pr.number > 0)
    return pr.number
  const match = PULL_REQUEST_NAME.exec(pr?.name?.trim() ?? '')
  return match ? Number(match[1]) : undefined
}

/** A branch or tag name without its refs/heads/ or refs/tags/ prefix. */
const plainName = (name: string) => name.trim().replace(/^refs\/(?:heads|tags)\//, '')

/**
 * Is the ref a run shows the one asked for? undefined when the run shows no such ref (no name,
 * no number): the caller decides what that means.
 */
export function sameRef(kind: RefKind, asked: ShownRef, shown: ShownRef): boolean | undefined {
  if (kind === 'pull_request') {
    const shownNumber = pullRequestNumber(shown)
    const askedNumber = pullRequestNumber(asked)
    if (shownNumber !== undefined && askedNumber !== undefined) return shownNumber === askedNumber
  }
  if (shown?.name == null)
    return kind === 'pull_request' && shown?.number != null ? false : undefined
  return plainName(shown.name) === plainName(asked?.name ?? '')
}
