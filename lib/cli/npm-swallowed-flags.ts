import { createRequire } from 'node:module';
import path from 'node:path';

// What npm exports as npm_config_* without being a setting one can pass.
const NPM_EXPORTS = new Set(['local_prefix', 'global_prefix', 'npm_version', 'nodedir']);

/**
 * `npm run sync --bogus` (no `--`) hands `--bogus` to npm, which keeps it as the setting `npm_config_bogus` and runs
 * the script without it: the script would do its default job instead of saying the flag is wrong. This names the
 * flags npm kept that are the script's own options, or that npm does not know either.
 */
export function flagsNpmSwallowed(
  scriptOptions: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  npmSettings: ReadonlySet<string> | null = loadNpmSettings(env),
): string[] {
  if (!env.npm_lifecycle_event) return [];
  return Object.keys(env)
    .filter((key) => key.startsWith('npm_config_'))
    .map((key) => key.slice('npm_config_'.length))
    .filter(
      (name) =>
        scriptOptions.includes(name) ||
        (npmSettings !== null && /^[a-z][a-z0-9_]*$/.test(name) && !npmSettings.has(name) && !NPM_EXPORTS.has(name)),
    )
    .map((name) => `--${name.replaceAll('_', '-')}`);
}

/** npm's own setting names, from the npm that runs the script; null when they cannot be read. */
function loadNpmSettings(env: NodeJS.ProcessEnv): ReadonlySet<string> | null {
  if (!env.npm_execpath) return null;
  try {
    const require = createRequire(env.npm_execpath);
    const npmRoot = path.resolve(path.dirname(env.npm_execpath), '..');
    const { definitions } = require(path.join(npmRoot, 'node_modules/@npmcli/config/lib/definitions/index.js')) as {
      definitions: Record<string, unknown>;
    };
    return new Set(Object.keys(definitions).map((name) => name.replaceAll('-', '_')));
  } catch {
    return null;
  }
}
