/**
 * The instruction templates the reasoning models were trained with, shipped as the default templates of every
 * project, and how a template turns a query into the text sent with the image. Pure module.
 *
 * A template's text holds the model-visible instruction with one placeholder, `{Question}`, replaced by the
 * normalized query; the reference code's `{Answer}` example is already written out, so what is stored is what
 * the model reads. Texts are the Python string concatenations of the public code, character for character
 * (the sentences are joined without spaces there, and so here).
 */
import { SEG_ZERO_STRIP, VISION_REASONER_STRIP, normalizeQuery } from './segZeroQuery'

export interface TemplateSpec {
  name: string
  /** Model-visible text with `{Question}` as the only placeholder. */
  text: string
  /** Characters `str.strip` removes from both ends of the lower-cased query. */
  queryStrip: string
  /** Side of the square image the model is sent (and its answer coordinates' space). */
  inputSize: number
  description: string
}

export const QUESTION_PLACEHOLDER = '{Question}'

// JIA-Lab-research/VisionReasoner vision_reasoner/models/vision_reasoner_model.py, DETECTION_TEMPLATE, with the
// Answer example that _generate_model_output passes to format().
const MULTI_OBJECT_TEXT =
  'Please find "{Question}" with bboxs and points.' +
  'Compare the difference between object(s) and find the most closely matched object(s).' +
  'Output the thinking process in <think> </think> and final answer in <answer> </answer> tags.' +
  'Output the bbox(es) and point(s) inside the interested object(s) in JSON format.' +
  'i.e., <think> thinking process here </think>' +
  '<answer>[{"bbox_2d": [10,100,200,210], "point_2d": [30,110]}, {"bbox_2d": [225,296,706,786], "point_2d": [302,410]}]</answer>'

// dvlab-research/Seg-Zero evaluation_scripts/evaluation.py and inference_scripts/infer.py of the first release
// (single object, one bbox and two points), with its Answer example.
const SEG_ZERO_V1_TEXT =
  "Please find '{Question}' with bbox and points." +
  'Compare the difference between objects and find the most closely matched one.' +
  'Output the thinking process in <think> </think> and final answer in <answer> </answer> tags.' +
  'Output the one bbox and points of two largest inscribed circles inside the interested object in JSON format.' +
  'i.e., <think> thinking process here </think>' +
  "<answer>{'bbox': [10,100,200,210], 'points_1': [30,110], 'points_2': [35,180]}</answer>"

export const DEFAULT_TEMPLATES: readonly TemplateSpec[] = [
  {
    name: 'visionreasoner',
    text: MULTI_OBJECT_TEXT,
    queryStrip: VISION_REASONER_STRIP,
    inputSize: 840,
    description:
      'VisionReasoner DETECTION_TEMPLATE (JIA-Lab-research/VisionReasoner vision_reasoner/models/vision_reasoner_model.py); query stripped of ."?!',
  },
  {
    name: 'segzero',
    text: MULTI_OBJECT_TEXT,
    queryStrip: SEG_ZERO_STRIP,
    inputSize: 840,
    description:
      'Seg-Zero multi-object QUESTION_TEMPLATE (dvlab-research/Seg-Zero inference_scripts/infer_multi_object.py, same text as VisionReasoner); query stripped of "."',
  },
  {
    name: 'segzero-v1',
    text: SEG_ZERO_V1_TEXT,
    queryStrip: SEG_ZERO_STRIP,
    inputSize: 840,
    description:
      'First Seg-Zero release, one object with bbox + points_1/points_2 (dvlab-research/Seg-Zero evaluation_scripts/evaluation.py); query stripped of "."',
  },
]

/** The text sent to the model: the template with `{Question}` replaced by the normalized query. */
export function renderTemplate(template: Pick<TemplateSpec, 'text' | 'queryStrip'>, query: string): string {
  // split/join rather than replace(): a "$" in the query must stay literal.
  return template.text.split(QUESTION_PLACEHOLDER).join(normalizeQuery(query, template.queryStrip))
}
