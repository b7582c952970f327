// The `express4` alias is express@4 installed under another name; its API is typed as Express's.
declare module 'express4' {
  import express from 'express'

  export default express
}
