/** Entry point of the `reseg` command line. */
import { buildProgram } from './index'

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`reseg: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  })
