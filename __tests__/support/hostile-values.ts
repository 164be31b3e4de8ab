/**
 * Hostile input values for the property-based tests (fast-check): hostile-input.test.ts (every
 * input, in-process) and hostile-input-bundle.test.ts (the step started as the runner does).
 */
import fc from 'fast-check'

/** Strings users paste by mistake, and strings an attacker would try. */
export const NASTY = [
  '',
  ' ',
  '\t\n',
  '..',
  '../..',
  '/',
  '?',
  '#',
  '%2e%2e',
  '%2F',
  'a/../b',
  'a?x=1',
  'a#b',
  '\r\n::set-output name=x::y',
  '::set-output name=x::y',
  '::add-mask::x',
  '##[set-output name=x;]y',
  '${{ secrets.TOKEN }}',
  '$(id)',
  '`id`',
  '\u0000',
  '\u202e',
  'аcme',
  'ＡＣＭＥ',
  'x'.repeat(5000),
  '-1',
  '0',
  '1e3',
  '9'.repeat(40),
  '1.5',
  'NaN',
  'true\n',
  'HEAD~1',
  'refs/heads/',
  'A=1\nA=2',
  '=value',
  '2026-13-45T99:99:99Z'
]
export const hostile = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.tuple(fc.constantFrom(...NASTY), fc.string({ maxLength: 20 })).map(([a, b]) => `${a}${b}`),
  fc
    .array(fc.constantFrom(...NASTY, 'KEY=value', 'x'), { maxLength: 4 })
    .map(parts => parts.join('\n'))
)

/** The runner cannot pass a NUL byte in an environment variable, so no input can hold one. */
export const deliverable = hostile.map(value => value.split(String.fromCharCode(0)).join(''))
