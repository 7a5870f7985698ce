/** The example's user store: two seeded users. A real host has its own. */
export interface ExampleUser {
  id: string;
  login: string;
  password: string;
}

export const USERS: readonly ExampleUser[] = [
  { id: '1', login: 'alice', password: 'alice-pass' },
  { id: '2', login: 'bob', password: 'bob-pass' },
];

export function findUserById(id: string): ExampleUser | null {
  return USERS.find((user) => user.id === id) ?? null;
}

export function findUserByLogin(login: string): ExampleUser | null {
  return USERS.find((user) => user.login === login) ?? null;
}
