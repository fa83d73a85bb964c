/** Sign-up and login: Argon2id password hashes, identical answers for unknown email and wrong password. */

import { AppError } from '@linksnap/shared';
import { hash, verify } from '@node-rs/argon2';
import type { UserRow } from '../db/schema.js';
import type { UsersRepository } from '../db/users.repository.js';
import type { TokenService } from './tokens.js';

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

export interface SignupPolicy {
  /** DISABLE_SIGNUPS: only the first account and admins create accounts. */
  disabled: boolean;
  /** ADMIN_EMAILS (lower case); the first account is an admin too. */
  adminEmails: readonly string[];
}

export class UsersService {
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly users: UsersRepository,
    private readonly tokens: TokenService,
    private readonly policy: SignupPolicy = { disabled: false, adminEmails: [] },
  ) {}

  /** Whether a visitor may sign up now: always while the instance has no account yet. */
  async signupsOpen(): Promise<boolean> {
    return !this.policy.disabled || !(await this.users.any());
  }

  async signup(email: string, password: string): Promise<Session> {
    if (!(await this.signupsOpen())) {
      throw new AppError('SIGNUPS_DISABLED', 'Sign-up is closed here; ask an administrator for an account.');
    }
    const row = await this.create(email, password);
    return { token: await this.tokens.issue(row.id), user: toView(row) };
  }

  /** The signed-in user; UNAUTHENTICATED once the account is gone. */
  async me(userId: string): Promise<UserView> {
    const row = await this.users.findById(userId);
    if (!row) throw new AppError('UNAUTHENTICATED', 'The account no longer exists.');
    return toView(row);
  }

  /** The instance's first account, or one whose email is in ADMIN_EMAILS. */
  async isAdmin(userId: string): Promise<boolean> {
    const user = await this.users.findById(userId);
    return user !== null && (user.isAdmin || this.policy.adminEmails.includes(user.email.toLowerCase()));
  }

  async createByAdmin(adminId: string, email: string, password: string): Promise<UserView> {
    if (!(await this.isAdmin(adminId))) throw new AppError('FORBIDDEN', 'Only an administrator can create accounts.');
    return toView(await this.create(email, password));
  }

  private async create(email: string, password: string): Promise<UserRow> {
    const normalized = email.trim().toLowerCase();
    const passwordHash = await hash(password, ARGON2);
    const row = await this.users.insert(normalized, passwordHash);
    if (!row) throw new AppError('EMAIL_ALREADY_EXISTS', 'An account with this email already exists.');
    return row;
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
