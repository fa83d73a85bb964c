/** Sign-up and login: Argon2id password hashes, identical answers for unknown email and wrong password. */

import { AppError } from '@linksnap/shared';
import { hash, verify } from '@node-rs/argon2';
import type { UserRow } from '../db/schema.js';
import type { TokenService } from './tokens.js';
import type { UsersRepository } from './users.repository.js';

// OWASP's Argon2id baseline. algorithm 2 = Argon2id (the package's const enum cannot be imported).
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export interface UserView {
  id: string;
  email: string;
  createdAt: string;
}

export interface Session {
  token: string;
  user: UserView;
}

function toView(row: UserRow): UserView {
  return { id: row.id, email: row.email, createdAt: row.createdAt.toISOString() };
}

export class UsersService {
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly users: UsersRepository,
    private readonly tokens: TokenService,
  ) {}

  async signup(email: string, password: string): Promise<Session> {
    const normalized = email.trim().toLowerCase();
    const passwordHash = await hash(password, ARGON2);
    const row = await this.users.insert(normalized, passwordHash);
    if (!row) throw new AppError('EMAIL_ALREADY_EXISTS', 'An account with this email already exists.');
    return { token: await this.tokens.issue(row.id), user: toView(row) };
  }

  async login(email: string, password: string): Promise<Session> {
    const row = await this.users.findByEmail(email.trim());
    // Verify against a dummy hash for unknown emails, so timing does not reveal which accounts exist.
    this.dummyHash ??= hash('not-a-real-password', ARGON2);
    const ok = await verify(row?.passwordHash ?? (await this.dummyHash), password);
    if (!row || !ok) throw new AppError('INVALID_CREDENTIALS', 'Email or password is wrong.');
    return { token: await this.tokens.issue(row.id), user: toView(row) };
  }
}
