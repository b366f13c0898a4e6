// Compiles the operator commands (sync worker, migrations, key re-sealing, admin recovery) into self-contained files under
// dist/cli, so they run where only production dependencies are installed (a container, `npm ci --omit=dev`).
import { build } from 'esbuild';

export const COMMANDS = {
  sync: 'scripts/sync.ts',
  migrate: 'scripts/migrate.ts',
  'keys-reseal': 'scripts/reseal.ts',
  admin: 'scripts/admin.ts',
};

export async function buildCli(names = Object.keys(COMMANDS), outdir = 'dist/cli') {
  await build({
    entryPoints: Object.fromEntries(names.map((name) => [name, COMMANDS[name]])),
    outdir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // `server-only` is an empty module under this condition, as in Next's server bundles.
    conditions: ['react-server'],
    // PGlite loads its wasm and data files from beside its own module; it stays in node_modules (the standalone
    // server ships it) and is only imported in embedded mode.
    external: ['@electric-sql/pglite'],
    logLevel: 'warning',
  });
}

// `node scripts/build-cli.mjs [outdir]`: every command, into dist/cli unless told otherwise.
if (import.meta.url === `file://${process.argv[1]}`) await buildCli(undefined, process.argv[2]);
