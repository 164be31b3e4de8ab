import { readFileSync } from 'node:fs'
import { changelogSection, parseTag, planRelease, ReleaseError } from '../scripts/release.mjs'

/** The release workflow's checks (scripts/release.mjs), and the repository's own release state. */

const CHANGELOG = `# Changelog

## [Unreleased]

## [1.2.0] - 2026-12-01

### Added

- The thing.

## [1.1.0] - 2026-11-01

- Older.

[1.2.0]: https://example.com/v1.2.0
`

describe('parseTag', () => {
  it.each([
    ['v1.2.3', { version: '1.2.3', major: 'v1', prerelease: false }],
    ['v10.0.0', { version: '10.0.0', major: 'v10', prerelease: false }],
    ['v2.0.0-rc.1', { version: '2.0.0-rc.1', major: 'v2', prerelease: true }]
  ])('%s', (tag, expected) => {
    expect(parseTag(tag)).toEqual(expected)
  })

  it.each(['1.2.3', 'v1.2', 'v1', 'v01.2.3', 'release-1', ''])('refuses %j', tag => {
    expect(() => parseTag(tag)).toThrow(ReleaseError)
    expect(() => parseTag(tag)).toThrow(
      `"${tag}" is not a version tag: expected vMAJOR.MINOR.PATCH`
    )
  })
})

describe('changelogSection', () => {
  it("takes the version's section, without the link lines", () => {
    expect(changelogSection(CHANGELOG, '1.2.0')).toBe('### Added\n\n- The thing.')
    expect(changelogSection(CHANGELOG, '1.1.0')).toBe('- Older.')
  })

  it('refuses a version that has no section, or an empty one', () => {
    expect(() => changelogSection(CHANGELOG, '1.3.0')).toThrow(
      'CHANGELOG.md has no "## [1.3.0] - YYYY-MM-DD" section'
    )
    expect(() => changelogSection('## [1.0.0] - x\n\n## [0.9.0]\n- a', '1.0.0')).toThrow(
      "CHANGELOG.md's section for 1.0.0 is empty"
    )
    // "1.2.0" must not match "1x2x0".
    expect(() => changelogSection('## [1x2x0] - x\n- a', '1.2.0')).toThrow(ReleaseError)
  })
})

describe('planRelease', () => {
  it('releases a version tag that matches package.json, and moves its major tag', () => {
    expect(planRelease({ tag: 'v1.2.0', packageVersion: '1.2.0', changelog: CHANGELOG })).toEqual({
      tag: 'v1.2.0',
      version: '1.2.0',
      notes: '### Added\n\n- The thing.',
      majorTag: 'v1',
      prerelease: false
    })
  })

  it('never moves the major tag for a pre-release', () => {
    const changelog = '## [2.0.0-rc.1] - 2026-12-02\n\n- Try it.\n'
    expect(
      planRelease({ tag: 'v2.0.0-rc.1', packageVersion: '2.0.0-rc.1', changelog }).majorTag
    ).toBeUndefined()
  })

  it('refuses a tag that does not match package.json', () => {
    expect(() =>
      planRelease({ tag: 'v1.2.1', packageVersion: '1.2.0', changelog: CHANGELOG })
    ).toThrow("Tag v1.2.1 does not match package.json's version 1.2.0")
  })

  it("passes for this repository's own version, as the CI dry run does", () => {
    const root = new URL('../', import.meta.url)
    const packageVersion = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).version
    const plan = planRelease({
      tag: `v${packageVersion}`,
      packageVersion,
      changelog: readFileSync(new URL('CHANGELOG.md', root), 'utf8')
    })
    expect(plan.notes.length).toBeGreaterThan(0)
  })
})
