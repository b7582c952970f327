#!/usr/bin/env node
// Lets the README's commands work on a machine that has only Node and npm: brings pnpm,
// installs the workspace when needed, then runs the real task through pnpm.
import { spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const pnpmVersion = '10.34.9'

const tasks = {
  demo: ['--filter', '@loyal-auth/example-quickstart', 'start'],
  test: ['exec', 'vitest', 'run'],
  bench: ['--filter', '@loyal-auth/bench', 'start'],
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options })

  if (result.error) throw result.error

  return result.status ?? 1
}

function has(command, args = ['--version']) {
  const result = spawnSync(command, args, { stdio: 'ignore' })

  return !result.error && result.status === 0
}

function pnpmMajor() {
  const result = spawnSync('pnpm', ['--version'], { encoding: 'utf8' })

  if (result.error || result.status !== 0) return 0

  return Number(result.stdout.trim().split('.')[0])
}

// pnpm 11+ does not run on Node 20, and corepack cannot always fetch pnpm, so npx brings
// the pinned release when the machine has none of the right major.
function pnpmCommand() {
  if (pnpmMajor() === 10) return ['pnpm']

  return ['npx', '--yes', `pnpm@${pnpmVersion}`]
}

function needsInstall() {
  const marker = join(root, 'node_modules', '.modules.yaml')

  if (!existsSync(marker)) return true

  return statSync(join(root, 'pnpm-lock.yaml')).mtimeMs > statSync(marker).mtimeMs
}

// The Redis store's tests run against a real redis-server that they start themselves.
function ensureRedis() {
  if (process.env.REDIS_URL || has('redis-server')) return

  const isRoot = process.getuid?.() === 0

  if (isRoot && has('apt-get', ['--help'])) {
    console.error('[loyal-auth] installing redis-server from Debian packages for the Redis tests')
    run('apt-get', ['update', '-qq'])
    run('apt-get', ['install', '-y', '-qq', 'redis-server'])
  }

  if (!has('redis-server')) {
    console.error('[loyal-auth] the Redis tests need redis-server on PATH (or REDIS_URL).')
    process.exit(1)
  }
}

const task = process.argv[2]
const extra = process.argv.slice(3)

if (!tasks[task]) {
  console.error(`usage: bootstrap.mjs ${Object.keys(tasks).join('|')}`)
  process.exit(2)
}

const [pnpm, ...pnpmArgs] = pnpmCommand()

if (needsInstall()) {
  const status = run(pnpm, [...pnpmArgs, 'install', '--frozen-lockfile'])

  if (status !== 0) process.exit(status)
}

if (task === 'test') ensureRedis()

process.exit(run(pnpm, [...pnpmArgs, ...tasks[task], ...extra]))
