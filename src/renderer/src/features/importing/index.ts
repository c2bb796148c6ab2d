export { ImportDialog } from './ImportDialog'
export type { ImportKind } from './useImport'
