/**
 * The kit's at-rest check (test/support/at-rest.ts) looks for every issued secret, and for the
 * random part of the provider's own `<prefix>_<random>` tokens, in every stored row. A PKCE
 * verifier is base64url, where `_` is an ordinary character: splitting it there made a verifier
 * ending in `_xy` "leak" through any row containing `xy` (it failed a CI run on SQLite).
 */
import { createHash } from 'node:crypto';
import { expectOnlyHashesAtRest } from '../support/at-rest';

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');
const verifier = 'pVr8Qm2LkT7wZxN4bC9dF1gH3jK5sA6eR0tY2uI4o_xy';
const token = 'eoa_4kT9mQ2vX7pL1nB8cD3fG6hJ0sA5eR2tY9uI4oZ1wEqR';

it('a verifier with an underscore near its end does not leak through a row holding its tail', () => {
  const rows = [
    `tokens {"hash":"${sha256(token)}"}`,
    'applications {"client_id":"example-first-party","name":"xy"}',
  ];
  expect(() =>
    expectOnlyHashesAtRest(
      [
        { name: 'PKCE verifier', value: verifier, hashStored: false },
        { name: 'access token', value: token, hashStored: true },
      ],
      rows,
    ),
  ).not.toThrow();
});

it('still finds a stored verifier, and the random part of a token without its prefix', () => {
  const secrets = [{ name: 'access token', value: token, hashStored: true }];
  expect(() =>
    expectOnlyHashesAtRest(
      [{ name: 'PKCE verifier', value: verifier, hashStored: false }],
      [`codes {"verifier":"${verifier}"}`],
    ),
  ).toThrow();
  expect(() =>
    expectOnlyHashesAtRest(secrets, [`tokens {"secret":"${token.slice(4)}","hash":"${sha256(token)}"}`]),
  ).toThrow();
});
