import { WebviewApi, startPanel } from './panelController';

declare function acquireVsCodeApi(): WebviewApi;

const root = document.getElementById('app');
if (root) startPanel(root, acquireVsCodeApi());
