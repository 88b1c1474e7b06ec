const config = require('./config');

console.log(config.settings.mode);
