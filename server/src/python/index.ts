export { initPython, parsePython } from './frontend';
