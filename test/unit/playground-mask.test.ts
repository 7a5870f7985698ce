/**
 * The playground masks secrets (examples/provider/playground/mask.ts): a token keeps its kind
 * prefix and last four characters; anything else — a PKCE verifier, which is random base64url
 * and may start like a prefix (`viosgx_…`) — shows no character but the last four.
 */
import { maskSecret } from '../../examples/provider/playground/mask';
import { TokenFormat } from '../../lib/tokens/token-format';

describe('maskSecret', () => {
  it("keeps a token's kind prefix and its last four characters", () => {
    const token = new TokenFormat('eo').generate('access');
    expect(maskSecret(token)).toBe(`eoa_••••••••${token.slice(-4)}`);
  });

  it('shows nothing of a verifier that happens to contain an underscore early on', () => {
    const verifier = 'viosgx_Q3k9pL2mN8vR4tW6yZ1aB5cD7eF0gH2jK4lM6nP8qS0uX';
    expect(maskSecret(verifier)).toBe(`••••••••${verifier.slice(-4)}`);
  });

  it('shows only bullets for a short secret', () => {
    expect(maskSecret('abc_short')).toBe('••••••••');
  });
});
