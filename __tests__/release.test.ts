import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import {
  changelogSection,
  newerRelease,
  parseTag,
  planRelease,
  ReleaseError
} from '../scripts/release.mjs'

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
      majorStays: undefined,
      prerelease: false
    })
  })

  it('moves the major tag only to the newest release of its major, never back', () => {
    const plan = (existingTags: string[]) =>
      planRelease({ tag: 'v1.2.0', packageVersion: '1.2.0', changelog: CHANGELOG, existingTags })
    expect(plan(['v1', 'v1.1.0', 'v1.2.0', 'v2.0.0']).majorTag).toBe('v1')
    // A newer pre-release of the same major, or a newer major, does not hold v1 back.
    expect(plan(['v1.3.0-rc.1', 'v2.0.0', 'v10.0.0']).majorTag).toBe('v1')
    // A fix of v1.2 released after v1.10: v1 stays on v1.10.0 (numbers, not text, compared).
    expect(plan(['v1.10.0', 'v1.9.0'])).toMatchObject({
      majorTag: undefined,
      majorStays: 'v1.10.0 is newer: v1 stays on it'
    })
  })

  it('finds the newest newer release of a major among tags that are not all versions', () => {
    expect(newerRelease('1.2.0', 'v1', ['v1', 'latest', 'v1.2.1', 'v1.3.0', 'v1.2.9'])).toBe(
      'v1.3.0'
    )
    expect(newerRelease('1.2.0', 'v1', ['v1.2.0', 'v1.1.9', 'v0.9.0'])).toBeUndefined()
  })

  it('never moves the major tag for a pre-release', () => {
    const changelog = '## [2.0.0-rc.1] - 2026-12-02\n\n- Try it.\n'
    expect(
      planRelease({ tag: 'v2.0.0-rc.1', packageVersion: '2.0.0-rc.1', changelog }).majorTag
    ).toBeUndefined()
    expect(
      planRelease({ tag: 'v2.0.0-rc.1', packageVersion: '2.0.0-rc.1', changelog }).majorStays
    ).toBe('pre-release: the major tag stays where it is')
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

/** The release workflow as GitHub runs it: what each job may do, and with which actions. */
describe('the release workflow', () => {
  type Step = { uses?: string; run?: string; with?: Record<string, string>; env?: object }
  type Job = { permissions?: Record<string, string>; steps: Step[]; environment?: string }
  const text = readFileSync(new URL('../.github/workflows/release.yml', import.meta.url), 'utf8')
  const workflow = parse(text) as { permissions: object; jobs: Record<string, Job> }
  const { check, publish } = workflow.jobs as { check: Job; publish: Job }

  it('pins every action by its full commit SHA, with the version in a comment', () => {
    const uses = [...text.matchAll(/uses: (\S+)(.*)$/gm)]
    expect(uses.length).toBeGreaterThanOrEqual(5)
    for (const [, ref, rest] of uses) {
      expect({ ref, pinned: /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/.test(ref as string) }).toEqual({
        ref,
        pinned: true
      })
      expect({ ref, comment: rest }).toEqual({
        ref,
        comment: expect.stringMatching(/^ # v\d+\.\d+\.\d+$/)
      })
    }
  })

  it('checks in a job that can write nothing', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' })
    expect(check.permissions).toEqual({ contents: 'read' })
    expect(check.steps.some(s => s.run?.includes('node scripts/release.mjs'))).toBe(true)
    expect(check.steps.some(s => s.run?.includes('--tags-file'))).toBe(true)
  })

  it('publishes without checking out or running anything of the repository', () => {
    expect(publish.environment).toBe('release')
    expect(publish.steps.some(s => s.uses?.startsWith('actions/checkout@'))).toBe(false)
    expect(publish.steps.some(s => /\b(npm|npx|node)\b/.test(s.run ?? ''))).toBe(false)
  })

  it('moves the major tag with the release App token, which may update workflow files', () => {
    const token = publish.steps.find(s => s.uses?.startsWith('actions/create-github-app-token@'))
    expect(token?.with).toMatchObject({
      'permission-contents': 'write',
      'permission-workflows': 'write'
    })
    const move = publish.steps.find(s => s.run?.includes('refs/tags/$MAJOR')) as Step
    expect(move.env).toMatchObject({ GH_TOKEN: '${{ steps.app-token.outputs.token }}' })
  })

  it('keeps immutable releases working: the version tag and a published release are never changed', () => {
    const runs = publish.steps.map(s => s.run ?? '').join('\n')
    expect(runs).not.toMatch(/gh release (edit|delete|upload)/)
    expect(runs).not.toMatch(/refs\/tags\/\$TAG|git push/)
    expect(runs).toMatch(/gh release view "\$TAG"[\s\S]*exit 0[\s\S]*gh release create "\$TAG"/)
  })
})
