import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { parseUrlOptions } from './url-options.ts';
import './styles.css';

const url = parseUrlOptions(window.location.search);
// No StrictMode: its double-run effects would attach two niivue instances and two workers.
createRoot(document.getElementById('root')!).render(<App url={url} />);
