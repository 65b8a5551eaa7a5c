/**
 * The auth block's data shapes and error codes, in one place. Rows never leave the block:
 * `toUser` turns a row into the contract's `User` (no password hash, ISO dates).
 */
import { BlockError, type User } from '../../orchestration/index.ts';
import { toIsoString } from '../../platform/database/index.ts';

export type Role = User['role'];
export type Status = User['status'];

export interface UserRow {
  id: string;
  /** Lower-cased: emails compare case-insensitively. */
  email: string;
  username: string;
  /** Lower-cased username, unique: "Alice" and "alice" are the same account. */
  username_key: string;
  full_name: string | null;
  password_hash: string;
  role: Role;
  status: Status;
  status_reason: string | null;
  created_at: number;
  approved_at: number | null;
  last_login_at: number | null;
}

export interface SessionRow {
  id: string;
  user_id: string;
  /** SHA-256 of the current refresh token; the token itself is never stored. */
  refresh_hash: string;
  /** Hash of the refresh token this one replaced: presenting it again means theft. */
  prev_refresh_hash: string | null;
  created_at: number;
  /** When the refresh token runs out (each rotation moves it on). */
  expires_at: number;
  revoked_at: number | null;
  client_ip: string | null;
}

/** One sign-in attempt; a row stays only if the attempt failed (or is in flight). */
export interface AttemptRow {
  id: string;
  account_key: string;
  ip: string;
  at: number;
}

export interface AuthDB {
  users: UserRow;
  sessions: SessionRow;
  login_attempts: AttemptRow;
  settings: { name: string; value: string };
}

const STATUS = {
  WEAK_PASSWORD: 400,
  CANNOT_MANAGE_SELF: 400,
  INVALID_CREDENTIALS: 401,
  INVALID_REFRESH_TOKEN: 401,
  ACCOUNT_PENDING_APPROVAL: 403,
  ACCOUNT_REJECTED: 403,
  ACCOUNT_SUSPENDED: 403,
  FORBIDDEN: 403,
  USER_NOT_FOUND: 404,
  EMAIL_TAKEN: 409,
  USERNAME_TAKEN: 409,
  INVALID_STATUS_CHANGE: 409,
  TOO_MANY_ATTEMPTS: 429,
} as const;
type AuthCode = keyof typeof STATUS;

export function authError(code: AuthCode, message: string, details?: unknown): BlockError {
  return new BlockError(code, message, {
    status: STATUS[code],
    details,
    retryable: code === 'TOO_MANY_ATTEMPTS',
  });
}

const iso = (ms: number | null) => (ms === null ? null : toIsoString(ms));

/** The contract's view of a row: the hash and the lookup key stay behind. */
export function toUser(r: UserRow): User {
  const {
    password_hash: _hash,
    username_key: _key,
    created_at,
    approved_at,
    last_login_at,
    ...rest
  } = r;
  return {
    ...rest,
    created_at: toIsoString(created_at),
    approved_at: iso(approved_at),
    last_login_at: iso(last_login_at),
  };
}
