#!/usr/bin/env node
// C20 and the install half of the release checks: every package, packed the way it will be
// published, is installed alone into fresh projects outside the workspace and used from
// CommonJS, ESM, TypeScript (node16 and bundler resolution) and Jest's default transform.
//
//   node tests/install/install-test.mjs [--packs DIR] [--only core,axios] [--also-node BIN]
//                                       [--keep]
//
// --packs reuses tarballs from `node scripts/pack.mjs DIR` instead of building and packing.
// --also-node runs the CJS and ESM projects with another Node binary too (CI: Node 24).
import { spawn } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { createServer } from 'node:net'
import { availableParallelism, tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import {
  buildPackages,
  listPackages,
  packedTarballs,
  packPackages,
  run,
  step,
} from '../../scripts/lib/workspace.mjs'
import { packages as matrix, tools } from '../../scripts/support-matrix.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const started = Date.now()

const { values: args } = parseArgs({
  options: {
    packs: { type: 'string' },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'also-node': { type: 'string', multiple: true, default: [] },
  },
})

// tmpfs when there is one: npm writes and deletes tens of thousands of small files.
const scratch = existsSync('/dev/shm') ? '/dev/shm' : tmpdir()
const work = mkdtempSync(join(scratch, 'loyal-install-'))
const nodes = [process.execPath, ...args['also-node']]
const only = args.only?.split(',').map((name) => name.trim())
const all = listPackages()
const selected = all.filter((pkg) => !only || only.includes(pkg.folder))
// Every project also installs the core and testing tarballs.
const needed = all.filter(
  (pkg) => selected.includes(pkg) || ['core', 'testing'].includes(pkg.folder)
)

/**
 * One throwaway project per package and kind. CJS gets the oldest peers, ESM and the
 * rest the newest, so both ends of every peer range are installed and run from tarballs.
 */
const kinds = {
  cjs: { peers: 'oldest', files: ['main.cjs'] },
  esm: { peers: 'newest', type: 'module', files: ['main.mjs'] },
  ts: { peers: 'newest', files: [], tools: [...tools.typescript, tools.nodeTypes] },
  jest: { peers: 'newest', files: ['loyal.test.js'], tools: [tools.jest] },
}

async function main() {
  const tarballs = await tarballsFor()
  const redis = await startRedis()
  const projects = selected.flatMap((pkg) =>
    Object.keys(kinds).map((kind) => ({ pkg, kind, dir: join(work, `${pkg.folder}-${kind}`) }))
  )

  try {
    step('installing the tools (TypeScript, Jest) once, to be linked into each project')
    const templates = await installTemplates()

    step(`installing ${projects.length} projects in ${work}`)
    await pool(projects, (project) =>
      timed(project, 'install', () => install(project, tarballs, templates[project.kind]))
    )

    step(`running them (${elapsed()})`)
    const results = await pool(
      projects,
      (project) => timed(project, 'run', () => check(project, redis.url)),
      { settle: true }
    )

    report(projects, results)
  } finally {
    redis.stop()
    if (!args.keep) rmSync(work, { recursive: true, force: true })
  }
}

async function tarballsFor() {
  if (args.packs) return packedTarballs(args.packs)

  step('building')
  await buildPackages(needed)
  step('packing')

  return packPackages(join(work, 'packs'), needed)
}

// --- installing -----------------------------------------------------------------------

/**
 * TypeScript and Jest are the same in every project, so each is installed once and its
 * node_modules hard-linked into the projects, where npm then adds the package and its peers.
 */
async function installTemplates() {
  const templates = {}

  await Promise.all(
    Object.entries(kinds)
      .filter(([, spec]) => spec.tools)
      .map(async ([kind, spec]) => {
        const dir = join(work, `tools-${kind}`)

        mkdirSync(dir, { recursive: true })
        writeJson(join(dir, 'package.json'), { name: `tools-${kind}`, private: true })
        await npmInstall(dir, spec.tools)

        const { dependencies } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))

        templates[kind] = { dir, devDependencies: dependencies }
      })
  )

  return templates
}

async function install(project, tarballs, template) {
  const { pkg, kind, dir } = project
  const spec = kinds[kind]
  const support = matrix[pkg.name] ?? { oldest: [], newest: [] }

  mkdirSync(dir, { recursive: true })

  const own = ownTarballs(pkg, tarballs, dir)

  writeJson(join(dir, 'package.json'), {
    name: `install-test-${pkg.folder}-${kind}`,
    private: true,
    ...(spec.type ? { type: spec.type } : {}),
    dependencies: own,
    devDependencies: template?.devDependencies,
    // An adapter's `@loyal-auth/core: ^0.0.0` must be the tarball, never the registry.
    overrides: own,
  })
  writeProjectFiles(project)

  if (template) await linkTemplate(template, dir)

  const types = kind === 'ts' ? (support.types ?? []) : []

  await npmInstall(dir, [...support[spec.peers], ...types])
}

async function linkTemplate(template, dir) {
  const modules = join(dir, 'node_modules')

  await run('cp', ['-al', join(template.dir, 'node_modules'), modules])

  // The one file npm may rewrite in place gets its own copy, so no write reaches the template.
  const hiddenLockfile = join(modules, '.package-lock.json')

  if (existsSync(hiddenLockfile)) {
    const text = readFileSync(hiddenLockfile)

    unlinkSync(hiddenLockfile)
    writeFileSync(hiddenLockfile, text)
  }
}

/** The package itself plus the core and testing tarballs that every project uses. */
function ownTarballs(pkg, tarballs, dir) {
  const names = new Set([pkg.name, '@loyal-auth/core', '@loyal-auth/testing'])

  return Object.fromEntries(
    [...names].map((name) => [name, `file:${relative(dir, tarballs.get(name))}`])
  )
}

function npmInstall(dir, specs) {
  const flags = [
    '--prefer-offline',
    '--no-audit',
    '--no-fund',
    '--no-package-lock',
    '--ignore-scripts',
    '--loglevel=error',
  ]

  return run('npm', ['install', ...flags, ...specs], { cwd: dir, timeout: 180_000 })
}

function writeProjectFiles({ pkg, kind, dir }) {
  const scenario = readFileSync(join(here, 'scenarios', `${pkg.folder}.mjs`), 'utf8')
  const fixtures = join(here, 'fixtures')

  if (kind === 'cjs' || kind === 'jest') {
    writeFileSync(join(dir, 'scenario.cjs'), toCommonJs(scenario))
  } else if (kind === 'esm') {
    writeFileSync(join(dir, 'scenario.mjs'), scenario)
  }

  for (const file of kinds[kind].files) copyFileSync(join(fixtures, file), join(dir, file))

  if (kind === 'ts') writeTypeProject(pkg, dir)
}

// The scenarios are written once, as ESM modules without imports; CommonJS gets a copy.
function toCommonJs(source) {
  if (!source.includes('export default async function')) {
    throw new Error('a scenario must be `export default async function scenario(...)`')
  }

  return source.replace('export default async function', 'module.exports = async function')
}

/**
 * The same usage file three times: .mts and .cts under node16 resolution (the `import` and
 * `require` conditions' types), .ts under bundler resolution.
 */
function writeTypeProject(pkg, dir) {
  const usage = readFileSync(join(here, 'types', `${pkg.folder}.ts`), 'utf8')
  const base = {
    strict: true,
    noEmit: true,
    esModuleInterop: true,
    types: ['node'],
    // No DOM: a Node project's fetch types come from @types/node, and ours must too.
    lib: ['ES2022'],
    target: 'ES2022',
  }

  for (const name of ['check.mts', 'check.cts', 'check.ts']) {
    writeFileSync(join(dir, name), usage)
  }

  const programs = {
    'node16-esm': { module: 'node16', moduleResolution: 'node16', file: 'check.mts' },
    'node16-cjs': { module: 'node16', moduleResolution: 'node16', file: 'check.cts' },
    bundler: { module: 'preserve', moduleResolution: 'bundler', file: 'check.ts' },
  }

  // Separate programs: one project rarely compiles both .mts and .cts, and a package's global
  // augmentations (Express's Request) would otherwise be declared twice.
  for (const compiler of compilers) {
    for (const [name, { file, ...options }] of Object.entries(programs)) {
      writeJson(join(dir, `${compiler.prefix}.${name}.json`), {
        compilerOptions: { ...base, ...options, ...compiler.options },
        files: [file],
      })
    }
  }
}

function writeJson(file, value) {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`)
}

// --- checking -------------------------------------------------------------------------

async function check({ kind, dir }, redisUrl) {
  const env = { REDIS_URL: redisUrl, NODE_OPTIONS: '' }

  if (kind === 'ts') return checkTypes(dir)

  if (kind === 'jest') {
    const jest = join(dir, 'node_modules', 'jest', 'bin', 'jest.js')

    return run('node', [jest, '--ci'], { cwd: dir, env, timeout: 120_000 })
  }

  let output = ''

  for (const node of nodes) {
    const version = await run(node, ['--version'])

    output += `${version.trim()}: ${await run(node, kinds[kind].files, { cwd: dir, env })}`
  }

  return output
}

/**
 * TypeScript 7 checks every declaration file, ours included, in about a second; errors inside
 * other packages' declarations (ioredis, lru-cache under Apollo) are theirs and only counted.
 * TypeScript 5.9 takes ten times as long over @types/node, so it checks the usage files and
 * the resolution of our types with skipLibCheck, as most projects run it. Each compiler builds
 * its three programs in one process (`tsc -b`), which parses the shared libraries once.
 */
const compilers = [
  { label: 'tsc 7', bin: ['typescript7', 'bin', 'tsc'], prefix: 'tsc7', options: {} },
  {
    label: 'tsc 5.9',
    bin: ['typescript', 'bin', 'tsc'],
    prefix: 'tsc59',
    options: { skipLibCheck: true },
  },
]

async function checkTypes(dir) {
  let output = ''

  for (const { label, bin, prefix } of compilers) {
    const configs = ['node16-esm', 'node16-cjs', 'bundler'].map((name) => `${prefix}.${name}.json`)
    const tsc = join(dir, 'node_modules', ...bin)
    const result = await run('node', [tsc, '-b', ...configs], { cwd: dir }).then(
      () => 'ok',
      (error) => theirErrorsOnly(error)
    )

    output += `${label} (node16 ESM and CJS, bundler): ${result}\n`
  }

  return output
}

/** Rethrows unless every error is inside a declaration file of a package other than ours. */
function theirErrorsOnly(error) {
  const files = [...(error.output ?? '').matchAll(/^(\S+?)\(\d+,\d+\): error/gm)].map(
    ([, file]) => file
  )
  const ours = (file) => !file.includes('node_modules/') || file.includes('/@loyal-auth/')

  if (files.length === 0 || files.some(ours)) throw error

  return `ok (${files.length} errors in other packages' declarations ignored)`
}

function report(projects, results) {
  const failed = []

  for (const [index, result] of results.entries()) {
    const { pkg, kind } = projects[index]
    const label = `${pkg.name} (${kind}, ${kinds[kind].peers} peers)`
    const times = `install ${projects[index].install}, run ${projects[index].run}`

    if (result.status === 'fulfilled') {
      console.log(`  ✓ ${label}: ${times}`)
    } else {
      console.log(`  ✗ ${label}: ${times}`)
      failed.push({ label, error: result.reason })
    }
  }

  for (const { label, error } of failed) {
    console.log(`\n--- ${label}\n${error.output ?? error.stack}`)
  }

  const passed = results.length - failed.length

  console.log(`\ninstall test: ${elapsed()}`)
  console.log(`${passed} passed, ${failed.length} failed`)

  if (failed.length > 0) process.exitCode = 1
}

// --- plumbing -------------------------------------------------------------------------

async function timed(project, phase, action) {
  const start = Date.now()

  try {
    return await action()
  } finally {
    project[phase] = `${((Date.now() - start) / 1000).toFixed(1)}s`
  }
}

function elapsed() {
  return `${((Date.now() - started) / 1000).toFixed(0)}s`
}

/** Runs `task` over `items`, a few at a time (npm and tsc are CPU-bound on 2 cores). */
async function pool(items, task, { settle = false } = {}) {
  const limit = Math.max(2, availableParallelism() + 1)
  const results = new Array(items.length)
  let next = 0

  async function worker() {
    while (next < items.length) {
      const index = next++

      try {
        results[index] = { status: 'fulfilled', value: await task(items[index]) }
      } catch (error) {
        if (!settle) throw error
        results[index] = { status: 'rejected', reason: error }
      }
    }
  }

  await Promise.all(Array.from({ length: limit }, worker))

  return results
}

/** The Redis store's scenario needs a server: one redis-server on a free loopback port. */
async function startRedis() {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop() {} }

  const port = await freePort()
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    }
  )

  child.on('error', () => {})

  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill() }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()

    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()

      server.close(() => resolve(port))
    })
  })
}

await main()
