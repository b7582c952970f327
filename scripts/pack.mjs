#!/usr/bin/env node
// Builds every package and packs it the way `pnpm publish` would (publishConfig applied,
// workspace ranges rewritten). Usage: node scripts/pack.mjs [DIR]   (default .tmp/packs)
import { join } from 'node:path'

import { buildPackages, packPackages, root, step } from './lib/workspace.mjs'

const destination = process.argv[2] ?? join(root, '.tmp', 'packs')

step('building')
await buildPackages()

step(`packing into ${destination}`)
const tarballs = await packPackages(destination)

for (const file of tarballs.values()) console.log(`  ${file}`)
