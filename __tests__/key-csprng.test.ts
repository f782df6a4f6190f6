/** The default random source of generateKey is the operating system's CSPRNG, and nothing else. */
import { describe, expect, it, jest } from '@jest/globals'

const crypto = await import('node:crypto')
const draws: number[] = []
jest.unstable_mockModule('node:crypto', () => ({
  ...crypto,
  randomInt: (below: number) => {
    draws.push(below)
    return crypto.randomInt(below)
  }
}))
const { generateKey } = await import('../src/keys/key.js')

describe('generateKey without a random source', () => {
  it("draws every character from node:crypto's randomInt", () => {
    const random = jest.spyOn(Math, 'random')
    const key = generateKey(50, 'hex')
    expect(key).toMatch(/^[0-9a-f]{50}$/)
    // One CSPRNG draw per character (a weak draw, once in about 10^57 keys, would add 50 more).
    expect(draws.length % 50).toBe(0)
    expect(draws.length).toBeGreaterThan(0)
    expect(draws.every((below) => below === 16)).toBe(true)
    expect(random).not.toHaveBeenCalled()
  })
})
