import axios from 'axios'
import { expect } from 'vitest'

// Proves the alias took: a run that silently used the newest axios would prove nothing.
expect(axios.VERSION).toBe('1.7.0')
