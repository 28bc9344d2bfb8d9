import { describe, expect, it } from 'vitest'

import { base64url, randomToken, s256Challenge } from './pkce'

describe('PKCE', () => {
  it('computes the S256 challenge of RFC 7636, appendix B', async () => {
    expect(await s256Challenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    )
  })

  it('makes verifiers of 43 unreserved characters, different each time', () => {
    const first = randomToken()
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(randomToken()).not.toBe(first)
  })

  it('encodes base64url without padding', () => {
    expect(base64url(new Uint8Array([251, 255]))).toBe('-_8')
  })
})
