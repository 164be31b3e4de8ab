import { baseRepositoryOf, num, obj, str } from '../../src/github/payload.js'

describe('reading a payload field by field', () => {
  it('reads an object, or an empty one', () => {
    expect(obj({ a: 1 })).toEqual({ a: 1 })
    expect(obj(null)).toEqual({})
    expect(obj('text')).toEqual({})
  })

  it('reads a non-empty string, or nothing', () => {
    expect(str('main')).toBe('main')
    expect(str('')).toBeUndefined()
    expect(str(42)).toBeUndefined()
  })

  it('reads a positive whole number, or nothing', () => {
    expect(num(7)).toBe(7)
    expect(num(0)).toBeUndefined()
    expect(num(1.5)).toBeUndefined()
    expect(num('7')).toBeUndefined()
  })

  it("reads the repository the workflow runs in from the payload's repository", () => {
    expect(baseRepositoryOf({ repository: { full_name: 'octo-org/octo-repo' } })).toBe(
      'octo-org/octo-repo'
    )
    expect(baseRepositoryOf({ repository: null })).toBeUndefined()
  })
})
