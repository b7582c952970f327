// The `koa2` alias is koa@2 installed under another name; its API is typed as Koa's.
declare module 'koa2' {
  import Koa from 'koa'

  export default Koa
}
