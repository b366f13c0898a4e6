// `npm run sync`, `npm run db:migrate`, `npm run keys:reseal`: the compiled command. In a checkout with dev
// dependencies it is compiled afresh first (a fraction of a second), so it always runs the current code; where only
// production dependencies are installed (a container) it runs what `npm run build` compiled.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [name] = process.argv.splice(2, 1);
const root = path.resolve(import.meta.dirname, '..');
process.chdir(root);
let buildCli;
try {
  ({ buildCli } = await import('./build-cli.mjs'));
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
}
if (buildCli) await buildCli([name]);
await import(pathToFileURL(path.join(root, 'dist', 'cli', `${name}.cjs`)).href);
