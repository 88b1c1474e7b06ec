const { Worker } = require('node:worker_threads');
const path = require('node:path');
const config = require('./config');
config.settings.mode = 'fast';
new Worker(path.join(__dirname, 'worker.js'));
