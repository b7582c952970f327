#!/usr/bin/env node
// What the next `changeset version` would do, tried on a scratch clone so nothing here changes:
// every pending changeset must parse, the linked packages must come out on one version, and
// each bumped package gets a changelog entry. Prints the versions and the changelogs' heads.
//
//   node scripts/version-dry-run.mjs [--print]   (--print: the whole new changelog sections)
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { listPackages, root, run, step } from './lib/workspace.mjs'

const print = process.argv.includes('--print')
const scratch = mkdtempSync(join(tmpdir(), 'loyal-version-'))

async function main() {
  step(`changeset version on a clone in ${scratch}`)

  await run('git', ['clone', '--quiet', '--no-hardlinks', root, scratch])
  // Pending changesets that are not committed yet count too.
  cpSync(join(root, '.changeset'), join(scratch, '.changeset'), { recursive: true })

  const changeset = join(root, 'node_modules', '.bin', 'changeset')

  await run(changeset, ['version'], { cwd: scratch })

  const problems = report()

  if (problems.length > 0) {
    for (const problem of problems) console.log(`  ✗ ${problem}`)
    process.exitCode = 1
  }
}

function report() {
  const config = JSON.parse(readFileSync(join(root, '.changeset', 'config.json'), 'utf8'))
  const versions = new Map() // bumped packages only
  const problems = []

  for (const pkg of listPackages()) {
    const dir = join(scratch, 'packages', pkg.folder)
    const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    const changelog = join(dir, 'CHANGELOG.md')

    console.log(`  ${pkg.name.padEnd(22)} ${pkg.version} -> ${version}`)

    if (version === pkg.version) continue

    versions.set(pkg.name, version)
    if (!existsSync(changelog)) {
      problems.push(`${pkg.name} was bumped without a CHANGELOG.md`)
      continue
    }

    const section = newestSection(readFileSync(changelog, 'utf8'))

    if (!section.includes(`## ${version}`)) problems.push(`${pkg.name}: no "## ${version}"`)
    if (print) console.log(`\n${section}\n`)
  }

  for (const group of config.linked ?? []) {
    const bumped = group.filter((name) => versions.has(name))
    const distinct = new Set(bumped.map((name) => versions.get(name)))

    if (distinct.size > 1) problems.push(`linked packages bumped apart: ${bumped.join(', ')}`)
  }

  return problems
}

function newestSection(changelog) {
  const start = changelog.indexOf('\n## ')
  const next = changelog.indexOf('\n## ', start + 1)

  return changelog.slice(start + 1, next === -1 ? undefined : next).trim()
}

try {
  await main()
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
