/** Authoring new samples: images added from the browser, queries written per image. */
import './authoring.css'
export { AddImagesDialog, type AddedSamples } from './AddImagesDialog'
