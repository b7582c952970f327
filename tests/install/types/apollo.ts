// Compiled as .mts and .cts (node16) and .ts (bundler) against the installed package.

import { LoyalDataSource } from '@loyal-auth/apollo'
import { LoyalAuth } from '@loyal-auth/core'

interface User {
  id: string
}

class Users extends LoyalDataSource {
  list(): Promise<User[]> {
    return this.get<User[]>('/users')
  }
}

export const users = new Users({ auth: new LoyalAuth({ apiKey: 'key' }) })
