import { render } from 'preact';
import { ErrorBoundary } from '../shared/ui.js';
import { App } from './app.js';
import './styles.css';

const root = document.getElementById('app')!;
// The page ships a "loading" line for browsers that are slow to run scripts; the app replaces it.
root.textContent = '';
render(
  <ErrorBoundary>
    <App />
  </ErrorBoundary>,
  root,
);
