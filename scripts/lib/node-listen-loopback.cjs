// Preloaded into Node through NODE_OPTIONS=--require: kinesis-local (started by LocalStack) has no host option and
// would listen on every interface, so every server listen() without a host (or with a wildcard host) is bound to
// 127.0.0.1 instead.
'use strict';
const net = require('net');
const WILDCARD = new Set([undefined, null, '', '0.0.0.0', '::', '::0']);
const originalListen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(...args) {
  if (args.length === 0 || typeof args[0] === 'function') {
    args = [0, '127.0.0.1', ...args];
  } else if (typeof args[0] === 'object' && args[0] !== null && !Array.isArray(args[0])) {
    if (args[0].path === undefined && WILDCARD.has(args[0].host)) args[0] = { ...args[0], host: '127.0.0.1' };
  } else if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    if (typeof args[1] !== 'string' || WILDCARD.has(args[1])) {
      const rest = typeof args[1] === 'string' || args[1] === undefined ? args.slice(2) : args.slice(1);
      args = [args[0], '127.0.0.1', ...rest];
    }
  }
  return originalListen.apply(this, args);
};
