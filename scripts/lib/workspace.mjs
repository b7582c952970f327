// Helpers shared by the shipping scripts: where the packages are, how to run a command,
// and how to turn the workspace into the tarballs that npm would publish.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The publishable packages, in dependency order (core and testing first). */
export function listPackages() {
  const folder = join(root, 'packages')
  const order = ['core', 'testing']

  const names = readdirSync(folder)
    .filter((name) => existsSync(join(folder, name, 'package.json')))
    .sort((a, b) => rank(order, a) - rank(order, b) || a.localeCompare(b))

  return names.map((name) => {
    const dir = join(folder, name)
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))

    return { folder: name, dir, name: manifest.name, version: manifest.version, manifest }
  })
}

function rank(order, name) {
  const index = order.indexOf(name)

  return index === -1 ? order.length : index
}

/**
 * Runs a command and resolves with its output; rejects with the output attached when it
 * exits non-zero, so a failing step shows what it printed.
 */
export function run(command, args, options = {}) {
  const { cwd = root, env, quiet = true, timeout = 300_000 } = options

  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    })
    let output = ''
    const collect = (chunk) => {
      output += chunk
    }

    child.stdout?.on('data', collect)
    child.stderr?.on('data', collect)

    const timer = setTimeout(() => child.kill('SIGKILL'), timeout)

    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)

      if (code === 0) return resolve(output)

      const why = signal ? `killed by ${signal}` : `exit ${code}`
      const error = new Error(`${command} ${args.join(' ')} (in ${cwd}): ${why}\n${output}`)

      error.output = output
      reject(error)
    })
  })
}

/** Builds the packages (all by default) with turbo, which skips unchanged ones. */
export async function buildPackages(packages = listPackages()) {
  const filters = packages.map((pkg) => `--filter=./packages/${pkg.folder}`)

  await run('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only', ...filters], {
    quiet: false,
  })
}

/**
 * Packs every package with `pnpm pack`, which applies `publishConfig` and rewrites
 * `workspace:` ranges exactly as `pnpm publish` does. Returns name -> tarball path.
 */
export async function packPackages(directory, packages = listPackages()) {
  const destination = resolve(directory)

  rmSync(destination, { recursive: true, force: true })
  mkdirSync(destination, { recursive: true })

  const tarballs = new Map()

  for (const pkg of packages) {
    await run('pnpm', ['pack', '--pack-destination', destination], { cwd: pkg.dir })

    tarballs.set(pkg.name, join(destination, tarballFile(pkg)))
  }

  for (const [name, file] of tarballs) {
    if (!existsSync(file)) throw new Error(`pnpm pack did not write ${file} for ${name}`)
  }

  return tarballs
}

/** The tarballs a previous `packPackages(directory)` wrote, by package name. */
export function packedTarballs(directory) {
  return new Map(listPackages().map((pkg) => [pkg.name, resolve(directory, tarballFile(pkg))]))
}

/** The file name `pnpm pack` gives a package: @loyal-auth/core -> loyal-auth-core-1.0.0.tgz */
export function tarballFile(pkg) {
  return `${pkg.name.replace('@', '').replace('/', '-')}-${pkg.version}.tgz`
}

/** Prints a step title so CI logs read as a list of steps. */
export function step(title) {
  console.log(`\n▶ ${title}`)
}
