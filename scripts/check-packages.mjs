#!/usr/bin/env node
// Lints what would be published: each package's packed tarball goes through publint and
// "Are the Types Wrong?", then through this repo's own rules (engines, sideEffects, peer
// ranges equal to the tested ones, nothing but dist/ and docs in the tarball).
//
//   node scripts/check-packages.mjs [--packs DIR]   (without --packs: build and pack first)
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

import { publint } from 'publint'
import { formatMessage } from 'publint/utils'
import {
  buildPackages,
  listPackages,
  packedTarballs,
  packPackages,
  root,
  run,
  step,
} from './lib/workspace.mjs'
import { packages as matrix, node } from './support-matrix.mjs'

const { values: args } = parseArgs({ options: { packs: { type: 'string' } } })

const allowedFiles = [
  /^package\/package\.json$/,
  /^package\/(README|CHANGELOG)\.md$/,
  /^package\/LICENSE(\.md)?$/,
  /^package\/dist\/.+\.(c?js|d\.c?ts|c?js\.map)$/,
]

async function main() {
  const tarballs = await tarballsFor()
  let failures = 0

  for (const pkg of listPackages()) {
    const tarball = tarballs.get(pkg.name)
    const problems = [
      ...(await lintWithPublint(tarball)),
      ...(await typesWrong(tarball)),
      ...ownRules(pkg, tarball),
    ]

    step(`${pkg.name}: ${problems.length === 0 ? 'clean' : `${problems.length} problem(s)`}`)
    for (const problem of problems) console.log(`  ✗ ${problem}`)

    for (const note of notes(tarball)) console.log(`  ! ${note}`)

    failures += problems.length
  }

  console.log(`\npackage checks: ${failures === 0 ? 'all clean' : `${failures} problem(s)`}`)
  if (failures > 0) process.exitCode = 1
}

async function tarballsFor() {
  if (args.packs) return packedTarballs(args.packs)

  step('building')
  await buildPackages()
  step('packing')

  return packPackages(join(root, '.tmp', 'packs'))
}

/** publint on the tarball itself; suggestions count too, so "clean" means no message. */
async function lintWithPublint(tarball) {
  const bytes = readFileSync(tarball)
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  const { messages, pkg } = await publint({ pack: { tarball: buffer }, strict: true })

  return messages.map((message) => `publint ${message.type}: ${formatMessage(message, pkg)}`)
}

/** attw with its strict profile: node10, node16 (CJS and ESM) and bundler resolution. */
async function typesWrong(tarball) {
  const attw = join(root, 'node_modules', '.bin', 'attw')

  try {
    await run(attw, [tarball, '--format', 'ascii', '--no-emoji', '--no-color'])

    return []
  } catch (error) {
    return [`attw: ${error.output?.trim() ?? error.message}`]
  }
}

function ownRules(pkg, tarball) {
  const manifest = JSON.parse(tarText(tarball, 'package/package.json'))
  const problems = []
  const expectedPeers = matrix[pkg.name]?.peers ?? {}

  if (JSON.stringify(manifest).includes('workspace:')) problems.push('a workspace: range leaked')
  if (manifest.engines?.node !== node.engines) {
    problems.push(`engines.node is ${manifest.engines?.node}, tested: ${node.engines}`)
  }
  if (manifest.sideEffects !== false) problems.push('sideEffects is not false')

  problems.push(...exportRules(manifest), ...peerRules(manifest, expectedPeers))

  for (const file of tarList(tarball)) {
    if (!allowedFiles.some((pattern) => pattern.test(file))) problems.push(`unexpected ${file}`)
  }

  return problems
}

/** Every entry point (subpaths too) has types for both `import` and `require`. */
function exportRules(manifest) {
  const entries = Object.entries(manifest.exports ?? {}).filter(([key]) => !key.endsWith('.json'))
  const problems = entries.length === 0 ? ['no exports map'] : []

  for (const [key, entry] of entries) {
    if (!entry?.import?.types?.endsWith('.d.ts'))
      problems.push(`exports["${key}"].import: no .d.ts`)
    if (!entry?.require?.types?.endsWith('.d.cts')) {
      problems.push(`exports["${key}"].require: no .d.cts`)
    }
  }

  return problems
}

/** Peer ranges must be exactly the tested ones (scripts/support-matrix.mjs). */
function peerRules(manifest, expected) {
  const actual = manifest.peerDependencies ?? {}
  const names = new Set([...Object.keys(actual), ...Object.keys(expected)])
  const problems = []

  for (const name of names) {
    if (actual[name] !== expected[name]) {
      problems.push(`peer ${name} is ${actual[name]}, tested range: ${expected[name]}`)
    }
  }

  return problems
}

/** Reported but not failing: things a publish should have that other people own. */
function notes(tarball) {
  const files = tarList(tarball)
  const missing = ['package/README.md', 'package/LICENSE'].filter((file) => !files.includes(file))

  return missing.map((file) => `no ${file.slice('package/'.length)} in the tarball`)
}

function tarList(tarball) {
  return tar(['-tzf', tarball]).split('\n').filter(Boolean)
}

function tarText(tarball, file) {
  return tar(['-xzOf', tarball, file])
}

function tar(args) {
  const result = spawnSync('tar', args, { encoding: 'utf8' })

  if (result.status !== 0) throw new Error(`tar ${args.join(' ')}: ${result.stderr}`)

  return result.stdout
}

await main()
