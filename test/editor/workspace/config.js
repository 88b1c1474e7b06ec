module.exports.settings = { mode: 'slow' };
