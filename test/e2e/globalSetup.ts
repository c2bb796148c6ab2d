/**
 * Builds the renderer once for the whole e2e run (unless RESEG_E2E_SKIP_BUILD=1 and a build exists),
 * so every browser test drives the same production bundle a user gets.
 */
import { buildRenderer, rendererIsBuilt } from '../../scripts/buildRenderer.mjs'

export default function setup(): void {
  if (process.env.RESEG_E2E_SKIP_BUILD === '1' && rendererIsBuilt()) return
  buildRenderer()
}
