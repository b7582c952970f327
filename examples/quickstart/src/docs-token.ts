/**
 * The example token published in the Loyal docs ("Making a request"). It expired in 2018,
 * carries a role but no scope claim, and is signed with a secret nobody here knows: a fixture
 * for decoding, never a credential.
 */
export const DOCS_EXAMPLE_TOKEN =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJodHRwOi8vc2NoZW1hcy5taWNyb3NvZnQuY29tL3dzLzIwMDgvMDYvaWRlbnRpdHkvY2xhaW1zL3JvbGUiOiJMb3lhbEFwaUNsaWVudEFjY2VzcyIsImh0dHA6Ly9zY2hlbWFzLnhtbHNvYXAub3JnL3dzLzIwMDUvMDUvaWRlbnRpdHkvY2xhaW1zL25hbWUiOiJQaWVkbW9udCBIZWFsdGNhcmUiLCJDbGllbnRJZCI6IjcxNGRmNDA2LTg4MDItNDc5Zi1hOTZiLWY0ZTM2MmViYWI3MCIsImV4cCI6MTUzMDIxMjAzMCwiaXNzIjoibG95YWxoZWFsdGguY29tIiwiYXVkIjoibG95YWxoZWFsdGguY29tIn0.nt0JreFFPWOV6Ns1EI0ExWbNBQ_IFW9LzrufibsnbEw'
