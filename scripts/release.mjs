// The release workflow's checks and plan, runnable anywhere (CI runs it with --dry-run on every
// push, so that it cannot rot):
//   node scripts/release.mjs --tag v1.2.3 [--dry-run] [--notes-out notes.md] [--tags-file tags.txt]
// Checks that the tag is a version tag, that it matches package.json's version, and that
// CHANGELOG.md has a section for it; writes that section as the release notes; prints the plan
// (create the GitHub release, move the major tag). --tags-file lists the repository's tags, one
// a line: the major tag moves only to the newest release of its major, never back to an older
// one (a fix released for v1.2 after v1.3 leaves v1 on v1.3). It never pushes or creates
// anything itself: the workflow does, after these checks pass, and not at all with --dry-run.

import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

const VERSION_TAG = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$/

export class ReleaseError extends Error {}

/** The tag's version parts; throws ReleaseError for anything but vMAJOR.MINOR.PATCH[-pre]. */
export function parseTag(tag) {
  const match = VERSION_TAG.exec(tag ?? '')
  if (!match) {
    throw new ReleaseError(
      `"${tag ?? ''}" is not a version tag: expected vMAJOR.MINOR.PATCH, e.g. v1.2.3`
    )
  }
  return { version: tag.slice(1), major: `v${match[1]}`, prerelease: Boolean(match[4]) }
}

/** The text of CHANGELOG.md's "## [version]" section (Keep a Changelog form). */
export function changelogSection(changelog, version) {
  const lines = changelog.split('\n')
  const start = lines.findIndex(l =>
    new RegExp(`^## \\[${version.replace(/\./g, '\\.')}\\]`).test(l)
  )
  if (start < 0) {
    throw new ReleaseError(`CHANGELOG.md has no "## [${version}] - YYYY-MM-DD" section`)
  }
  const end = lines.findIndex((l, i) => i > start && /^## /.test(l))
  const body = lines
    .slice(start + 1, end < 0 ? undefined : end)
    .filter(l => !/^\[[^\]]+\]: /.test(l))
    .join('\n')
    .trim()
  if (body === '') throw new ReleaseError(`CHANGELOG.md's section for ${version} is empty`)
  return body
}

/** a < b, for two release versions (MAJOR.MINOR.PATCH, no pre-release part). */
function olderThan(a, b) {
  const x = a.split('.').map(Number)
  const y = b.split('.').map(Number)
  const i = x.findIndex((n, k) => n !== y[k])
  return i >= 0 && x[i] < y[i]
}

/** The newest release (not a pre-release) of the major among the tags, when newer than version. */
export function newerRelease(version, major, tags) {
  const newer = tags
    .map(t => t.trim())
    .filter(t => VERSION_TAG.test(t))
    .map(t => ({ tag: t, ...parseTag(t) }))
    .filter(t => t.major === major && !t.prerelease && olderThan(version, t.version))
    .sort((a, b) => (olderThan(a.version, b.version) ? 1 : -1))
  return newer[0]?.tag
}

/**
 * Everything the release needs, or a ReleaseError that says what is wrong.
 * @param {{ tag: string, packageVersion: string, changelog: string, existingTags?: string[] }} options
 */
export function planRelease({ tag, packageVersion, changelog, existingTags = [] }) {
  const { version, major, prerelease } = parseTag(tag)
  if (version !== packageVersion) {
    throw new ReleaseError(
      `Tag ${tag} does not match package.json's version ${packageVersion}: bump the version (npm version ${version} --no-git-tag-version) or tag v${packageVersion}`
    )
  }
  // A pre-release never moves the major tag that users pin (@v1), nor does an older release.
  const newer = prerelease ? undefined : newerRelease(version, major, existingTags)
  return {
    tag,
    version,
    notes: changelogSection(changelog, version),
    majorTag: prerelease || newer ? undefined : major,
    majorStays: prerelease
      ? 'pre-release: the major tag stays where it is'
      : newer
        ? `${newer} is newer: ${major} stays on it`
        : undefined,
    prerelease
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2)
  const option = name => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined)
  const root = fileURLToPath(new URL('..', import.meta.url))
  try {
    const tagsFile = option('--tags-file')
    const plan = planRelease({
      tag: option('--tag'),
      packageVersion: JSON.parse(readFileSync(`${root}/package.json`, 'utf8')).version,
      changelog: readFileSync(`${root}/CHANGELOG.md`, 'utf8'),
      existingTags: tagsFile ? readFileSync(tagsFile, 'utf8').split('\n') : []
    })
    const notesOut = option('--notes-out')
    if (notesOut) writeFileSync(notesOut, `${plan.notes}\n`)
    const dry = args.includes('--dry-run') ? ' (dry run: nothing is created)' : ''
    console.log(`release ${plan.tag}${dry}`)
    console.log(`- GitHub release ${plan.tag}${plan.prerelease ? ' (pre-release)' : ''}, notes:`)
    console.log(plan.notes.replace(/^/gm, '    '))
    console.log(plan.majorTag ? `- move ${plan.majorTag} to ${plan.tag}` : `- ${plan.majorStays}`)
    if (process.env.GITHUB_OUTPUT) {
      writeFileSync(
        process.env.GITHUB_OUTPUT,
        `major-tag=${plan.majorTag ?? ''}\nprerelease=${plan.prerelease}\n`,
        { flag: 'a' }
      )
    }
  } catch (error) {
    if (!(error instanceof ReleaseError)) throw error
    console.error(`release: ${error.message}`)
    process.exit(1)
  }
}
