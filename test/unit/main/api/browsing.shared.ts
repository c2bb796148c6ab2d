/** A dispatcher over a small generated browse project, shared by the browsing-area API tests. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createApiContext } from '../../../../src/main/api/context'
import { createDispatcher, type Dispatch } from '../../../../src/main/api/index'
import { createBrowseProject, type BrowseProject } from '../../../fixtures/browseProject'

export async function browsingApi(samples = 30): Promise<{
  bp: BrowseProject
  call: (method: string, input: unknown) => Promise<unknown>
  dispatch: Dispatch
  close: () => void
}> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-api-'))
  const bp = await createBrowseProject(dir, { samples, seed: 5 })
  const dispatch = createDispatcher(createApiContext(bp.project))
  const call = async (method: string, input: unknown) => {
    const r = await dispatch(method, input)
    if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code })
    return r.value
  }
  return {
    bp,
    call,
    dispatch,
    close: () => {
      bp.project.close()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
