// Installs what the server and its tests need, and nothing when it is all there already: the Debian packages
// in .ci/apt-packages.txt (the code_interpreter sandbox: bubblewrap, python3 and its libraries; lines marked
// `# tests` only for the tests) and the node modules of package-lock.json. npm runs it before `npm start` and
// `npm test` (and `npm run setup` runs it alone), so it must work before `npm ci` has ever run: plain Node,
// nothing imported beyond `node:`.
//
//   node scripts/ensure-installed.mjs [--system-packages=required|optional|skip]
//
// required  missing packages are installed (apt-get, with sudo when not root) or the script fails — tests need them.
// optional  they are installed when that needs no password prompt; otherwise a warning says code_interpreter
//           will be unavailable, and the script goes on — the rest of the server works without them.
// skip      system packages are not looked at (also: SKIP_SYSTEM_PACKAGES=1, for machines without apt).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const APT_LIST = path.join(ROOT, '.ci/apt-packages.txt');

function main() {
  const mode = systemPackagesMode(process.argv.slice(2));
  requireNodeVersion(20);
  if (mode !== 'skip') ensureSystemPackages(mode);
  ensureNodeModules();
}

function systemPackagesMode(args) {
  if (process.env.SKIP_SYSTEM_PACKAGES === '1') return 'skip';
  const flag = args.find((arg) => arg.startsWith('--system-packages='));
  const mode = flag ? flag.slice('--system-packages='.length) : 'optional';
  if (!['required', 'optional', 'skip'].includes(mode)) fail(`unknown --system-packages=${mode}`);
  return mode;
}

function requireNodeVersion(major) {
  const current = Number(process.versions.node.split('.')[0]);
  if (current < major) fail(`Node.js ${major} or newer is needed; this is ${process.version}.`);
}

// ---- system packages -------------------------------------------------------------------------------------

function ensureSystemPackages(mode) {
  // `name  # tests: why` is needed by the tests alone (`required`), never installed for the server.
  const wanted = readFileSync(APT_LIST, 'utf8')
    .split('\n')
    .filter((line) => mode === 'required' || !/#\s*tests\b/.test(line))
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
  if (wanted.length === 0) return;
  if (!commandExists('dpkg-query') || !commandExists('apt-get')) {
    const needs = `code_interpreter needs what these Debian packages provide: ${wanted.join(' ')}.`;
    return notInstalled(
      mode,
      `apt is not available here; ${needs}`,
      'Install the equivalents, then run again with SKIP_SYSTEM_PACKAGES=1.',
    );
  }
  const missing = missingPackages(wanted);
  if (missing.length === 0) return;
  const byHand = `As root: apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  const sudo = privilegePrefix(mode);
  if (sudo === undefined) {
    const why = commandExists('sudo') ? 'sudo would ask for a password' : 'there is no sudo';
    return notInstalled(
      mode,
      `Not root and ${why}, so ${missing.join(' ')} (for code_interpreter) stay missing.`,
      byHand,
    );
  }
  log(`installing system packages: ${missing.join(' ')}`);
  const apt = [...sudo, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', '-q', '-o', 'DPkg::Lock::Timeout=120'];
  const installed =
    run(apt[0], [...apt.slice(1), 'update', '-qq']) &&
    run(apt[0], [...apt.slice(1), 'install', '-y', '-qq', '--no-install-recommends', ...missing]);
  if (!installed) notInstalled(mode, `apt-get could not install ${missing.join(' ')} (see its output above).`, byHand);
}

/** Fails when the packages are required (tests); otherwise warns and lets the server start without them. */
function notInstalled(mode, reason, remedy) {
  if (mode === 'required') fail(`${reason}\n  ${remedy}`);
  warn(
    `${reason}\n  Starting anyway: code_interpreter will answer with an error until they are installed.\n  ${remedy}`,
  );
}

function missingPackages(names) {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax, not a template.
  const query = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\\n', ...names], { encoding: 'utf8' });
  const installed = new Set(
    query.stdout
      .split('\n')
      .filter((line) => line.endsWith(' installed'))
      .map((line) => line.split(' ')[0].split(':')[0]),
  );
  return names.filter((name) => !installed.has(name));
}

/** `[]` as root, `['sudo']` (or `['sudo', '-n']`) otherwise; undefined when we may not install. */
function privilegePrefix(mode) {
  if (process.getuid?.() === 0) return [];
  if (!commandExists('sudo')) return undefined;
  if (mode === 'required') return ['sudo'];
  return spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0 ? ['sudo', '-n'] : undefined;
}

// ---- node modules ----------------------------------------------------------------------------------------

function ensureNodeModules() {
  const reason = nodeModulesOutOfDate();
  if (!reason) return;
  log(`${reason}: running npm ci`);
  // --include=dev: building (tsc) and testing need the dev dependencies even where NODE_ENV=production.
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
  if (!run(npm[0], [...npm.slice(1), 'ci', '--include=dev'])) fail('npm ci failed (see its output above).');
}

/**
 * Why node_modules does not match package-lock.json, or undefined when it does. npm records what it installed
 * in node_modules/.package-lock.json; every package of the lockfile must be there at the same version and
 * integrity, except optional packages for other platforms (esbuild's and Biome's binaries), which npm skips.
 * Contents rather than modification times, so a checkout that rewrites an unchanged lockfile costs nothing.
 */
function nodeModulesOutOfDate() {
  const installedPath = path.join(ROOT, 'node_modules/.package-lock.json');
  if (!existsSync(installedPath)) {
    return existsSync(path.join(ROOT, 'node_modules'))
      ? 'node_modules has no record of an npm install'
      : 'no node_modules';
  }
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  const installed = JSON.parse(readFileSync(installedPath, 'utf8')).packages ?? {};
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const root = lock.packages?.[''] ?? {};
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    if (sortedJson(root[field]) !== sortedJson(manifest[field])) {
      return `package.json's ${field} differ from package-lock.json`;
    }
  }
  for (const [location, locked] of Object.entries(lock.packages ?? {})) {
    if (location === '' || locked.link) continue;
    const present = installed[location];
    if (!present && locked.optional && !forThisPlatform(locked)) continue;
    if (!present) return `${location} is not installed`;
    if (present.version !== locked.version || present.integrity !== locked.integrity) {
      return `${location} is not at the locked version`;
    }
  }
  return undefined;
}

function sortedJson(dependencies = {}) {
  return JSON.stringify(Object.entries(dependencies).sort(([a], [b]) => a.localeCompare(b)));
}

function forThisPlatform(locked) {
  return matches(locked.os, process.platform) && matches(locked.cpu, process.arch) && matches(locked.libc, libc());
}

/** npm's `os`/`cpu`/`libc` lists: names that match, or `!name`s that do not. */
function matches(list, value) {
  if (!list || value === undefined) return true;
  if (list.includes(`!${value}`)) return false;
  return list.includes(value) || list.every((item) => item.startsWith('!'));
}

let detectedLibc;

function libc() {
  if (process.platform !== 'linux') return undefined;
  detectedLibc ??= process.report?.getReport().header.glibcVersionRuntime ? 'glibc' : 'musl';
  return detectedLibc;
}

// ---- helpers ---------------------------------------------------------------------------------------------

function commandExists(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  return result.status === 0;
}

function log(message) {
  console.log(`[ensure-installed] ${message}`);
}

function warn(message) {
  console.warn(`[ensure-installed] warning: ${message}`);
}

function fail(message) {
  console.error(`[ensure-installed] ${message}`);
  process.exit(1);
}

main();
