/**
 * SAM 3's text tokens: the CLIP BPE tokenizer (samexporter tokenizes with osam's CLIP `tokenize`,
 * context length 32: <|startoftext|> ids <|endoftext|>, truncated, zero-padded). The tokenizer's files
 * (`tokenizer.json`, `tokenizer_config.json` of a CLIP model, e.g. openai/clip-vit-base-patch32) come
 * with the model files, never from the network; @huggingface/tokenizers runs them.
 */
import { readFileSync } from 'node:fs'
import { Tokenizer } from '@huggingface/tokenizers'

export interface TextTokenizer {
  /** Token ids, exactly `contextLength` of them: SOT, the text's tokens, EOT, then zeros. */
  tokenize(text: string, contextLength: number): BigInt64Array
}

export function loadClipTokenizer(tokenizerPath: string, configPath: string): TextTokenizer {
  const read = (p: string): object => {
    try {
      return JSON.parse(readFileSync(p, 'utf8')) as object
    } catch (e) {
      throw new Error(
        `${p}: cannot read the SAM 3 tokenizer file: ${e instanceof Error ? e.message : String(e)}`,
        {
          cause: e,
        },
      )
    }
  }
  const tokenizer = new Tokenizer(read(tokenizerPath), read(configPath))
  return {
    tokenize(text, contextLength) {
      // The tokenizer's post-processor adds SOT and EOT, as CLIP's tokenize does.
      const ids = tokenizer.encode(text).ids
      const out = new BigInt64Array(contextLength)
      // Like CLIP's tokenize(truncate=True): keep the first tokens and end with EOT.
      const n = Math.min(ids.length, contextLength)
      for (let i = 0; i < n; i++) out[i] = BigInt(ids[i])
      if (ids.length > contextLength) out[contextLength - 1] = BigInt(ids[ids.length - 1])
      return out
    },
  }
}
