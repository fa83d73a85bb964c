/**
 * Where the CLI keeps the server URL and token: ~/.config/linksnap/config.json (0600), or
 * $XDG_CONFIG_HOME/linksnap. LINKSNAP_URL and LINKSNAP_TOKEN override the file.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface CliConfig {
  url: string;
  token?: string;
}

type Env = Record<string, string | undefined>;

export function configPath(env: Env = process.env): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'linksnap', 'config.json');
}

export function loadCliConfig(env: Env = process.env): CliConfig {
  let stored: Partial<CliConfig> = {};
  try {
    stored = JSON.parse(readFileSync(configPath(env), 'utf8'));
  } catch {
    // no file yet
  }
  return {
    url: (env.LINKSNAP_URL || stored.url || 'http://127.0.0.1:3000').replace(/\/+$/, ''),
    token: env.LINKSNAP_TOKEN || stored.token,
  };
}

export function saveCliConfig(config: CliConfig, env: Env = process.env): string {
  const file = configPath(env);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // an existing file keeps its old mode otherwise
  return file;
}
