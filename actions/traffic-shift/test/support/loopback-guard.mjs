// Preloaded (node --import) into the action's process by the end-to-end tests. A connection to,
// or a DNS lookup of, any host but loopback is refused and written to LOOPBACK_GUARD_LOG, so a
// test fails when traffic would leave the machine (e.g. the Azure identity library asking
// login.microsoftonline.com for instance metadata, or probing the managed identity endpoint).
import dns from 'node:dns';
import fs from 'node:fs';
import net from 'node:net';

const logFile = process.env.LOOPBACK_GUARD_LOG;
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1|::ffff:127(\.\d{1,3}){3}|\[::1\])$/i;

function refuse(what) {
  if (logFile) fs.appendFileSync(logFile, `${what}\n`);
  const error = new Error(`loopback guard: ${what} refused (tests never leave loopback)`);
  error.code = 'ECONNREFUSED';
  return error;
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  let options = args[0];
  if (Array.isArray(options)) options = options[0];
  if (typeof options !== 'object' || options === null) {
    options =
      typeof options === 'string' && Number.isNaN(Number(options))
        ? { path: options }
        : { port: options, host: typeof args[1] === 'string' ? args[1] : undefined };
  }
  const host = options.host ?? 'localhost';
  if (options.path === undefined && !LOOPBACK.test(String(host))) {
    const error = refuse(`connection to ${host}:${options.port}`);
    process.nextTick(() => this.destroy(error));
    return this;
  }
  return connect.apply(this, args);
};

function guardLookup(original) {
  return function guardedLookup(hostname, ...rest) {
    if (!LOOPBACK.test(String(hostname))) {
      const callback = rest[rest.length - 1];
      const error = refuse(`DNS lookup of ${hostname}`);
      if (typeof callback === 'function') {
        process.nextTick(() => callback(error));
        return undefined;
      }
      return Promise.reject(error);
    }
    return original.call(this, hostname, ...rest);
  };
}
dns.lookup = guardLookup(dns.lookup);
dns.promises.lookup = guardLookup(dns.promises.lookup);
