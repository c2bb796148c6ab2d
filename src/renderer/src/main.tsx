/** Renderer entry: connect to whichever host loaded the page, then render the inspector. */
import { createRoot } from 'react-dom/client'
import { App } from './App'
import './styles.css'
import { connect } from './transport'

const api = connect()
const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root element')
createRoot(root).render(<App api={api} />)
