export function buildRenderer(): void
export function rendererIsFresh(): boolean
export function rendererIsBuilt(): boolean
