import { afterEach } from 'vitest'

interface Closable {
  close(): Promise<void>
}

/**
 * Returns `track`, which hands back what it is given and closes it after the test: the
 * `LoyalAuth`s and servers a test opens.
 */
export function closeAfterEach(): <T extends Closable>(value: T) => T {
  const opened: Closable[] = []

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((item) => item.close()))
  })

  return (value) => {
    opened.push(value)

    return value
  }
}
